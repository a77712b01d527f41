/**
 * /admin/import in the browser: a coordinator uploads a roster with bad rows (one with two
 * problems), sees the rows and problems counted apart, keeps the preview through a refused import,
 * imports the valid rows in one step, and the new target shows.
 */
import { expect, test } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { loginPage } from './accounts';

test('a coordinator imports the valid rows of a roster; the new target shows, a <script> name stays text', async ({
	page
}) => {
	// Four TPS of Pacitan (the coordinator's regency), one of Ponorogo (outside it).
	const [[tpsA], [tpsB], [tpsC], [tpsD]] = bulkTokens('350104', {
		DATA_DIR: e2eDataDir,
		DATABASE_URL: ''
	})
		.slice(0, 4)
		.map((t) => [t[0]]);
	const [[outside]] = bulkTokens('350201', { DATA_DIR: e2eDataDir, DATABASE_URL: '' });
	const csv = [
		'kode_tps,target,nama_pantarlih',
		`${tpsA},123,Rahmat Hidayat`,
		`${tpsB},400,`,
		`${outside},100,`,
		// One row, two problems: a target that is not a number, a name too long.
		`${tpsD},banyak,${'x'.repeat(101)}`,
		// A name that must render as text, never run.
		`${tpsC},,<img src=x onerror=alert(1)><script>alert(2)</script>`
	].join('\n');
	const dialogs: string[] = [];
	page.on('dialog', (dialog) => {
		dialogs.push(dialog.message());
		void dialog.dismiss();
	});
	await loginPage(page, 'coordinator');
	await page.goto('/admin/import');
	await page
		.getByTestId('import-file')
		.setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
	await page.getByRole('button', { name: 'Periksa berkas' }).click();
	await expect(page.getByTestId('import-preview')).toBeVisible();
	await expect(page.getByTestId('import-error-count')).toHaveText('3 baris bermasalah (4 masalah)');
	const errors = await page.getByTestId('import-errors').locator('tbody tr').allTextContents();
	// Each row's problem in the page's language (Bahasa Indonesia here).
	expect(errors[0]).toMatch(/^3target.*bilangan bulat 0 sampai 300/);
	expect(errors[1]).toMatch(/^4kode_tps.*di luar wilayah Anda/);
	// A refused import keeps the preview: here the first click's form loses its "valid rows
	// only" on the way (as an old tab's would), the server refuses, the page says why and still
	// offers the same import; the file need not be sent again.
	await page.route(
		(url) => url.pathname === '/admin/import' && url.search.includes('/apply'),
		(route) =>
			route.continue({
				postData: route.request().postData()!.replace('validOnly=1', 'validOnly=0')
			}),
		{ times: 1 }
	);
	const importValid = page.getByRole('button', {
		name: 'Impor 2 perubahan dari baris yang sah (baris bermasalah dilewati)'
	});
	await importValid.click();
	await expect(page.getByText('Berkas masih berisi kesalahan')).toBeVisible();
	await expect(page.getByTestId('import-preview')).toBeVisible();
	// One step: import the valid rows, the button says the others are skipped.
	await importValid.click();
	await expect(page.getByTestId('import-message')).toHaveText(
		'2 perubahan diimpor dari roster.csv'
	);
	await page.goto(`/wilayah/${tpsA.slice(0, 10)}/pantarlih?urut=tps`);
	const row = page.locator(`[data-testid="pantarlih-row"][data-tps="${tpsA}"]`);
	await expect(row).toContainText('/ 123');
	await expect(row).toContainText('Rahmat Hidayat');
	const script = page.locator(`[data-testid="pantarlih-row"][data-tps="${tpsC}"]`);
	await expect(script).toContainText('<img src=x onerror=alert(1)><script>alert(2)</script>');
	await expect(script.locator('img, script')).toHaveCount(0);
	expect(dialogs).toEqual([]);
});
