import { expect, test } from '@playwright/test';

test('the home page shows national totals and all 38 provinces from the database', async ({
	page
}) => {
	await page.goto('/');
	await expect(page.getByRole('heading', { name: 'Pantau Coklit' })).toBeVisible();
	await expect(page.getByTestId('province-row')).toHaveCount(38);
	await expect(page.getByTestId('national-tps')).toHaveText('820.161');
	await expect(page.getByRole('row', { name: /DKI JAKARTA/ })).toContainText('30.766');
	await expect(page.getByText('data simulasi')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/home.png', fullPage: true });
});
