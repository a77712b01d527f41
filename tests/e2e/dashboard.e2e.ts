/**
 * The region dashboard in Chromium: drill-down by map, table and keyboard; the % moving on an open
 * page after a sync; the CSV equal to the table; the language switch; the history view; screenshots
 * of each level under test-results/screens for a person to look at; a 360 px phone.
 */
import { expect, test, type Page } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { sync } from '../fixtures/heartbeats';
import { loginPage } from './accounts';

const rowsOf = async (page: Page) =>
	page
		.getByTestId('child-row')
		.evaluateAll((rows) =>
			rows.map((row) => [...row.querySelectorAll('td')].map((td) => td.textContent!.trim()))
		);

test('drill from the nation to a province by the map, to a regency by the table, to a district by keyboard', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await expect(page.getByTestId('coverage-map').locator('path.leaflet-interactive')).toHaveCount(
		38
	);
	await expect(
		page.getByTestId('coverage-chart').or(page.getByText(/Belum ada riwayat harian/))
	).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/level-nation.png', fullPage: true });
	// Jawa Timur's polygon (its own click: the centre of its box may be sea).
	await page
		.getByTestId('coverage-map')
		.locator('path.leaflet-interactive')
		.nth(14)
		.dispatchEvent('click');
	await expect(page).toHaveURL(/\/wilayah\/35$/);
	await page.goto('/wilayah/35');
	await page.screenshot({ path: 'test-results/screens/level-province.png', fullPage: true });
	await page.getByRole('link', { name: 'PACITAN', exact: true }).click();
	await expect(page).toHaveURL(/\/wilayah\/3501$/);
	await expect(page.getByRole('heading', { name: 'PACITAN' })).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/level-regency.png', fullPage: true });
	// Keyboard only: focus the first district link in the table and press Enter.
	const first = page.getByTestId('child-row').first().getByRole('link');
	await first.focus();
	await page.keyboard.press('Enter');
	await expect(page).toHaveURL(/\/wilayah\/3501\d\d$/);
	await page.screenshot({ path: 'test-results/screens/level-district.png', fullPage: true });
	// The map has a table equivalent: the same children, as rows.
	await page.goto('/wilayah/35');
	await expect(page.getByTestId('coverage-map')).toHaveAttribute('aria-label', /tabel di bawah/);
	await expect(page.getByTestId('child-row')).toHaveCount(38);
});

test('a sync moves the open regency page, the map toggles to the gap view', async ({
	page,
	baseURL
}) => {
	const tokens = bulkTokens('3505', { DATA_DIR: e2eDataDir, DATABASE_URL: '' });
	const [tps, token] = tokens[0];
	await loginPage(page, 'leader');
	await page.goto('/wilayah/35');
	await page.getByRole('button', { name: 'Kekurangan thd target saat ini' }).click();
	await expect(
		page.getByRole('button', { name: 'Kekurangan thd target saat ini' })
	).toHaveAttribute('aria-pressed', 'true');
	await expect(page.getByText('memenuhi target')).toBeVisible();
	await page.goto('/wilayah/3505');
	await expect(page.getByTestId('live-status')).toHaveText('● langsung');
	const before = await page.getByTestId('verified').textContent();
	expect(await sync(baseURL!, token, tps, 250, { lat: -8.1, lng: 112.2 })).toBe(200);
	await expect(page.getByTestId('verified')).not.toHaveText(before!, { timeout: 5_000 });
});

test('the table sorts and filters, and the CSV lists the same rows in the same order', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await page.goto('/wilayah/35');
	// Who is furthest behind comes first: the table opens sorted by the gap, largest first.
	const gapHeader = page.getByRole('columnheader', { name: /Kekurangan saat ini/ });
	await expect(gapHeader).toHaveAttribute('aria-sort', 'descending');
	await page.getByRole('button', { name: /^Kekurangan saat ini/ }).click();
	await expect(gapHeader).toHaveAttribute('aria-sort', 'ascending');
	await page.getByRole('button', { name: /^Kekurangan saat ini/ }).click();
	await expect(gapHeader).toHaveAttribute('aria-sort', 'descending');
	// The shortfall against "expected by now" moves by the minute during working hours: the table
	// and its CSV are compared when both were read within one minute (again, if a minute turned).
	for (let attempt = 1; ; attempt++) {
		const minute = Math.floor(Date.now() / 60_000);
		if (attempt > 1) await page.goto('/wilayah/35');
		await page.getByTestId('table-filter').fill('kota');
		const table = await rowsOf(page);
		expect(table.length).toBe(9);
		expect(table.every((cells) => /KOTA/.test(cells[1]))).toBe(true);
		const gaps = table.map((cells) => Number(cells[6].replace(/\./g, '')));
		expect(gaps).toEqual([...gaps].sort((a, b) => b - a));

		const href = await page.getByTestId('csv-link').getAttribute('href');
		const csv = await page.request.get(href!);
		expect(csv.status()).toBe(200);
		expect(csv.headers()['content-type']).toMatch(/text\/csv/);
		const text = await csv.text();
		if (Math.floor(Date.now() / 60_000) !== minute && attempt < 3) continue;
		// A byte-order mark first, so that a spreadsheet reads the names as UTF-8.
		expect(text.charCodeAt(0)).toBe(0xfeff);
		const lines = text.slice(1).trim().split('\n');
		expect(lines[0]).toMatch(
			/^Kode,Nama,TPS,Target pemilih,Terverifikasi,Cakupan,Kekurangan saat ini/
		);
		const csvRows = lines.slice(1).map((line) => line.split(','));
		expect(csvRows.map((r) => r[0])).toEqual(table.map((cells) => cells[0]));
		expect(csvRows.map((r) => Number(r[4]))).toEqual(
			table.map((cells) => Number(cells[4].replace(/\./g, '')))
		);
		expect(csvRows.map((r) => Number(r[6]))).toEqual(gaps);
		break;
	}
	const bad = await page.request.get('/wilayah/35/csv?urut=password');
	expect(bad.status()).toBe(400);
});

test('the language switch changes the labels and keeps the Indonesian number format', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await expect(page.getByText('Cakupan coklit')).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'id');
	await page.getByTestId('language-switch').click();
	await expect(page.getByText('Coklit coverage')).toBeVisible();
	await expect(page.getByRole('columnheader', { name: /Voters to verify/ })).toBeVisible();
	await expect(page.locator('html')).toHaveAttribute('lang', 'en');
	await expect(page.getByRole('row', { name: /DKI JAKARTA/ })).toContainText('30.766');
	await page.screenshot({ path: 'test-results/screens/nation-english.png' });
	await page.getByTestId('language-switch').click();
	await expect(page.getByText('Cakupan coklit')).toBeVisible();
});

test('in English the admin pages, their messages and the role label speak English too', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await page.getByTestId('language-switch').click();
	await expect(page.getByText('Coklit coverage')).toBeVisible();
	await expect(page.getByText('KPU RI admin')).toBeVisible();
	await page.goto('/admin/users');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Users');
	await expect(page.getByRole('heading', { name: 'Add an account' })).toBeVisible();
	await expect(page.locator('form[action="?/create"]')).toContainText('Initial password');
	await page.goto('/admin/import');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(
		'Import TPS targets and the Pantarlih list'
	);
	await expect(page.getByText(/Nothing is written before you approve the preview/)).toBeVisible();
	await page.goto('/audit');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText('Audit log');
	await page.goto('/admin/campaign');
	await expect(page.getByRole('heading', { level: 1 })).toHaveText(
		'Campaign, target curve and alert thresholds'
	);
	// Saving the thresholds as they are answers in English.
	const thresholds = page.locator('form[action="?/settings"]');
	await expect(thresholds.getByLabel(/Silent Pantarlih: hours without a sync/)).toBeVisible();
	await thresholds.getByRole('button', { name: 'Save the thresholds' }).click();
	await expect(page.getByTestId('campaign-message')).toHaveText('Alert thresholds saved');
});

test('a date in the past shows that day, clearly labelled, without live updates', async ({
	page
}) => {
	await loginPage(page, 'admin');
	await page.goto('/wilayah/35?tanggal=2020-01-01');
	await expect(page.getByTestId('history-banner')).toContainText('Tidak ada data beku');
	await expect(page.getByTestId('live-status')).toHaveCount(0);
	const bad = await page.goto('/wilayah/35?tanggal=kemarin');
	expect(bad!.status()).toBe(400);
	// Shaped like a date but not one: refused, not a database error.
	const impossible = await page.goto('/wilayah/35?tanggal=2026-02-31');
	expect(impossible!.status()).toBe(400);
});

test('on a 360 px phone the numbers are cards, not a table that scrolls sideways', async ({
	page
}) => {
	await page.setViewportSize({ width: 360, height: 740 });
	await loginPage(page, 'leader');
	const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
	expect(scroll).toBeLessThanOrEqual(360);
	await expect(page.getByTestId('children-table')).toBeHidden();
	const cards = page.getByTestId('child-card');
	await expect(cards).toHaveCount(38);
	// Every card shows its coverage and its gap, inside the screen.
	const first = cards.first();
	await expect(first).toContainText('Cakupan');
	await expect(first).toContainText('Kekurangan saat ini');
	const box = (await first.boundingBox())!;
	expect(box.x + box.width).toBeLessThanOrEqual(360);
	await page.screenshot({ path: 'test-results/screens/phone-360.png', fullPage: true });
});
