import { expect, test } from '@playwright/test';
import { loginPage } from './accounts';

test('an admin lands on the nation: totals and all 38 provinces from the database', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await expect(page).toHaveURL(/\/wilayah\/id$/);
	await expect(page.getByRole('heading', { name: 'INDONESIA' })).toBeVisible();
	await expect(page.getByTestId('child-row')).toHaveCount(38);
	await expect(page.getByTestId('tps')).toHaveText('0 / 820.161');
	await expect(page.getByRole('row', { name: /DKI JAKARTA/ })).toContainText('30.766');
	await expect(page.getByText('data simulasi')).toBeVisible();
	// The demo campaign starts on the day of the first seed (WIB) and runs 30 days: day N asks N/30
	// (N is 1, or 2 when the run crossed midnight in Jakarta after seeding).
	const label = await page.getByText(/hari ke-\d+ dari 30/).textContent();
	const day = Number(/hari ke-(\d+)/.exec(label!)![1]);
	expect([1, 2]).toContain(day);
	const share = new Intl.NumberFormat('id-ID', {
		style: 'percent',
		minimumFractionDigits: 1,
		maximumFractionDigits: 1
	}).format(day / 30);
	await expect(page.getByTestId('today-target')).toHaveText(share);
	await page.screenshot({ path: 'test-results/screens/nation.png', fullPage: true });
});

test('a coordinator lands on their regency and drills down to a village', async ({ page }) => {
	await loginPage(page, 'coordinator');
	await expect(page).toHaveURL(/\/wilayah\/3501$/);
	await page.getByTestId('child-row').first().getByRole('link').click();
	await expect(page).toHaveURL(/\/wilayah\/3501\d\d$/);
	await expect(page.getByRole('navigation', { name: 'Jalur wilayah' })).toContainText('PACITAN');
	await expect(page.getByRole('navigation', { name: 'Jalur wilayah' })).not.toContainText(
		'JAWA TIMUR'
	);
});
