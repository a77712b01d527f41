import { expect, test } from '@playwright/test';
import { loginPage } from './accounts';

test('an admin lands on the nation: totals and all 38 provinces from the database', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await expect(page).toHaveURL(/\/wilayah\/id$/);
	await expect(page.getByRole('heading', { name: 'INDONESIA' })).toBeVisible();
	await expect(page.getByTestId('child-row')).toHaveCount(38);
	// Other tests may have synced a few TPS by now.
	await expect(page.getByTestId('tps')).toHaveText(/^[\d.]+$/);
	await expect(page.getByTestId('tps').locator('xpath=..')).toContainText('dari 820.161 TPS');
	await expect(page.getByRole('row', { name: /DKI JAKARTA/ })).toContainText('30.766');
	await expect(page.getByText('data simulasi').first()).toBeVisible();
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
	await expect(page.getByTestId('today-target-end')).toHaveText(share);
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

test('the nation map draws 38 provinces, colours them and drills down on click', async ({
	page
}) => {
	await loginPage(page, 'admin');
	const map = page.getByTestId('coverage-map');
	await expect(map.locator('path.leaflet-interactive')).toHaveCount(38);
	// The map opens on the gap to today's target, with a legend that says what each colour means.
	await expect(page.getByText('memenuhi target').first()).toBeVisible();
	await expect(page.getByText('≥ 75% dari target belum tercapai')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/nation-map.png' });
	// Jawa Timur: click its polygon (the map has the same numbers as the table below it).
	// The polygon's own click (a pointer click at its box centre may land in the sea between islands).
	await map.locator('path.leaflet-interactive').nth(14).dispatchEvent('click');
	await expect(page).toHaveURL(/\/wilayah\/\d\d$/);
	await expect(
		page.getByTestId('coverage-map').locator('path.leaflet-interactive')
	).not.toHaveCount(0);
});

test('a province map keeps the regencies that have no boundary as markers', async ({ page }) => {
	await loginPage(page, 'admin');
	await page.goto('/wilayah/32');
	const map = page.getByTestId('coverage-map');
	// Jawa Barat: 27 regencies, 3279 Kota Banjar has no boundary: 26 polygons and 1 marker.
	await expect(page.getByTestId('child-row')).toHaveCount(27);
	await expect(map.locator('path.leaflet-interactive')).toHaveCount(27);
	await page.screenshot({ path: 'test-results/screens/province-map.png' });
});
