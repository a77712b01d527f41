/**
 * The follow-up list in the browser: states with counts, a follow-up note, CSV and XLSX with the
 * same masking as the page, and QR enrolment that revokes the phone's old token.
 */
import ExcelJS from 'exceljs';
import { expect, test } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { sync } from '../fixtures/heartbeats';
import { client, loginPage } from './accounts';

const MASKED = /^\+62 8\d{2}-\*{4}-\*+\d{2}$/;

test('a coordinator sees sync states, writes a follow-up and downloads the list', async ({
	page,
	baseURL
}) => {
	const [tps, token] = bulkTokens('350102', { DATA_DIR: e2eDataDir, DATABASE_URL: '' })[0];
	expect(await sync(baseURL!, token, tps, 12, { pending: 3, app: '2.4.1' })).toBe(200);

	await loginPage(page, 'coordinator');
	await page.getByTestId('pantarlih-link').click();
	await expect(page).toHaveURL(/\/wilayah\/3501\/pantarlih$/);
	await expect(page.getByTestId('count-aktif')).toContainText(/[1-9]/);
	await page.getByTestId('count-aktif').click();
	// A page holds 50; the district narrows the list to where this TPS is.
	await page.getByLabel('Kecamatan').selectOption(tps.slice(0, 6));
	await page.getByRole('button', { name: 'Terapkan' }).click();
	await expect(page).toHaveURL(new RegExp(`status=aktif&kecamatan=${tps.slice(0, 6)}`));
	const row = page.locator(`[data-testid="pantarlih-row"][data-tps="${tps}"]`);
	await expect(row.getByTestId('state')).toHaveText('aktif');
	await expect(row).toContainText('2.4.1');
	await expect(row.getByRole('link', { name: 'WhatsApp' })).toHaveAttribute(
		'href',
		/^https:\/\/wa\.me\/628\d+\?text=/
	);
	// The follow-up form folds away under the row until it is wanted.
	await row.getByText('Catat tindak lanjut').click();
	await row.getByLabel('Catatan').fill('sudah dihubungi, sinkron besok');
	await row.getByLabel('sudah dihubungi').check();
	await row.getByRole('button', { name: 'Simpan' }).click();
	await expect(
		page.getByText(`TPS ${tps.slice(10)}: ditandai sudah dihubungi hari ini`)
	).toBeVisible();
	await expect(row).toContainText('dihubungi hari ini');
	await expect(row).toContainText('sudah dihubungi, sinkron besok');
	await page.screenshot({ path: 'test-results/screens/pantarlih-coordinator.png', fullPage: true });

	const csv = await page.request.get(
		(await page.getByTestId('download-csv').getAttribute('href'))!
	);
	expect(csv.status()).toBe(200);
	const text = await csv.text();
	expect(text.charCodeAt(0)).toBe(0xfeff);
	const lines = text.slice(1).trim().split('\n');
	expect(lines[0]).toMatch(
		/^Kode,TPS,Desa\/Kelurahan,Kecamatan,Pantarlih,Telepon,Status sinkron,Sinkron terakhir \(WIB\)/
	);
	expect(lines[0]).toContain('Terakhir dihubungi oleh');
	expect(lines.slice(1).every((line) => line.includes(',aktif,'))).toBe(true);
	// The state in words, the last sync as a Jakarta wall-clock time, the contact's author.
	const mine = lines.find((line) => line.startsWith(tps))!;
	expect(mine).toMatch(/,aktif,\d{4}-\d\d-\d\d \d\d:\d\d,12,/);
	expect(mine).toContain('Dwi Lestari (demo)');
});

test('an observer sees masked phones in the page, the CSV and the XLSX, and no contact or enrol controls', async ({
	page,
	baseURL
}) => {
	await loginPage(page, 'observer');
	await page.goto('/wilayah/3501/pantarlih?urut=tps');
	const phones = await page
		.getByTestId('pantarlih-row')
		.getByTestId('phone')
		.evaluateAll((cells) => cells.slice(0, 20).map((c) => c.textContent!.trim()));
	expect(phones.length).toBe(20);
	for (const phone of phones) expect(phone).toMatch(MASKED);
	await expect(page.getByRole('link', { name: 'WhatsApp' })).toHaveCount(0);
	await expect(page.getByRole('button', { name: 'Terbitkan QR ponsel' })).toHaveCount(0);

	const csv = await page.request.get(
		(await page.getByTestId('download-csv').getAttribute('href'))!
	);
	const csvPhones = (await csv.text())
		.trim()
		.split('\n')
		.slice(1)
		.map((line) => line.split(',')[5]);
	expect(csvPhones.length).toBeGreaterThan(1000);
	for (const phone of csvPhones) expect(phone).toMatch(MASKED);

	const xlsx = await page.request.get(
		(await page.getByTestId('download-xlsx').getAttribute('href'))!
	);
	expect(xlsx.headers()['content-type']).toMatch(/spreadsheetml/);
	const book = new ExcelJS.Workbook();
	await book.xlsx.load((await xlsx.body()) as unknown as ArrayBuffer);
	const sheet = book.getWorksheet('Pantarlih')!;
	expect(sheet.getRow(1).getCell(6).value).toBe('Telepon');
	// Codes and phones stay text (leading zeros and "+" survive a spreadsheet).
	expect(typeof sheet.getRow(2).getCell(1).value).toBe('string');
	expect(sheet.getColumn(6).numFmt).toBe('@');
	expect(sheet.rowCount).toBe(csvPhones.length + 1);
	for (let r = 2; r <= sheet.rowCount; r++)
		expect(String(sheet.getRow(r).getCell(6).value)).toMatch(MASKED);

	const api = await client(baseURL!, 'observer');
	const refused = await api.post('/wilayah/3501/pantarlih?/note', {
		form: { tps: '3501010001001', note: 'x' }
	});
	expect(refused.status()).toBe(403);
	await api.dispose();
});

test('enrolling a phone shows its QR code once and revokes the old token', async ({
	page,
	baseURL
}) => {
	const [tps, oldToken] = bulkTokens('350103', { DATA_DIR: e2eDataDir, DATABASE_URL: '' })[0];
	await loginPage(page, 'coordinator');
	await page.goto(`/wilayah/${tps.slice(0, 10)}/pantarlih`);
	const row = page.locator(`[data-testid="pantarlih-row"][data-tps="${tps}"]`);
	await row.getByRole('button', { name: 'Terbitkan QR ponsel' }).click();
	// It asks first, and says what it will do to the phone now enrolled.
	const dialog = page.getByRole('alertdialog');
	await expect(dialog).toContainText(`TPS ${tps.slice(10)}`);
	await expect(dialog).toContainText('langsung dicabut');
	await page.screenshot({ path: 'test-results/screens/pantarlih-qr-confirm.png' });
	await dialog.getByRole('button', { name: 'Batal' }).click();
	await expect(dialog).toHaveCount(0);
	expect(await sync(baseURL!, oldToken, tps, 1)).toBe(200);
	await row.getByRole('button', { name: 'Terbitkan QR ponsel' }).click();
	await page
		.getByRole('alertdialog')
		.getByRole('button', { name: /Ya, terbitkan/ })
		.click();
	const sheet = page.getByTestId('enrolment-sheet');
	await expect(sheet.locator('svg')).toHaveCount(1);
	await expect(sheet).toContainText(tps);
	await page.screenshot({ path: 'test-results/screens/pantarlih-qr.png' });
	expect(await sync(baseURL!, oldToken, tps, 2)).toBe(401);
});
