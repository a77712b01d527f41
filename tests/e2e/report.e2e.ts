/**
 * The rakor report against its own demo server: Gorontalo's 3,539 TPS and a clock at an hour a
 * second starting on day 2. Phones sync during day 2; at WITA midnight the server freezes the
 * day; the report for day 2 then shows those numbers, does not move when day 3's syncs arrive,
 * downloads as an A4 PDF whose text (read back with PDF.js) names the region, the date and the
 * headline percentage, and as an XLSX of its tables; each download lands in the audit log.
 */
import { randomUUID } from 'node:crypto';
import { tempDir } from '../fixtures/temp';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import { bulkTokens, runCli } from '../fixtures/cli';
import { pdfText } from '../fixtures/pdf';
import { loginCookie, startServer } from '../fixtures/server';
import { ACCOUNTS, PASSWORD } from './accounts';

const PORT = 4193;
const base = `http://127.0.0.1:${PORT}`;

/** The server's clock (the demo's compressed one). */
async function serverClock() {
	const answer = (await (await fetch(`${base}/api/v1/clock`)).json()) as {
		now: string;
		campaign: { firstDay: string };
	};
	return { now: Date.parse(answer.now), firstDay: answer.campaign.firstDay };
}

/** Each phone reports `verified` recorded a minute ago on the server's clock. */
async function syncAll(tokens: [string, string][], verified: number) {
	const { now } = await serverClock();
	for (const [tps, token] of tokens) {
		const response = await fetch(`${base}/api/v1/heartbeats`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify({
				heartbeats: [
					{ id: randomUUID(), tps, verified, recordedAt: new Date(now - 60_000).toISOString() }
				]
			})
		});
		expect(response.status).toBe(200);
		expect((await response.json()).accepted).toBe(1);
	}
}

/** What the report says, without the line that names the moment it was generated. */
async function reportText(page: Page) {
	await expect(page.locator('[data-report-ready]')).toHaveCount(1);
	// Everything but the line saying when it was printed (and by whom).
	return (await page.getByTestId('report').innerText()).replace(
		/^(Dicetak oleh|Printed by) .*$/m,
		''
	);
}

test('the rakor report of a frozen day: stable, printable as PDF and XLSX, audited', async ({
	page
}) => {
	test.setTimeout(150_000);
	const work = tempDir('pantau-report-');
	const env = { DATA_DIR: path.join(work, 'data'), DATABASE_URL: '' };
	const server = await startServer(PORT, {
		...env,
		SEED_PROVINCES: '75',
		DEMO: '1',
		CLOCK_SPEED: '1800',
		CLOCK_START_DAY: '2',
		ALERT_INTERVAL_MS: '1000',
		LOG_REQUESTS: 'off'
	});
	try {
		const tokens = bulkTokens('7501', env).slice(0, 40);
		const { firstDay } = await serverClock();
		const day2 = new Date(Date.parse(`${firstDay}T00:00:00Z`) + 86_400_000)
			.toISOString()
			.slice(0, 10);
		await syncAll(tokens, 60);

		const cookie = await loginCookie(base, ACCOUNTS.admin.email, PASSWORD);
		const [name, value] = cookie.split('=');
		await page.context().addCookies([{ name, value, url: base }]);
		const reportUrl = `${base}/wilayah/75/laporan?tanggal=${day2}`;
		// Day 2 ends at WITA midnight, about 34 s from the start (setting up on a busy machine has
		// taken 20 s); the server then freezes it.
		// Until then the day-2 report is today's, live and provisional.
		expect(await (await page.request.get(reportUrl)).text()).toContain('Sementara');
		await expect
			.poll(async () => (await page.request.get(reportUrl)).text(), { timeout: 60_000 })
			.toContain('Angka dibekukan');

		// An observer's witness (its own key, registered by the admin) cosigns the log's checkpoint;
		// the report then names it beside the day's digest.
		const witnessKey = path.join(work, 'witness.key');
		const made = runCli(
			['witness:keygen', '--name', 'bawaslu.example/w1', '--out', witnessKey],
			env
		);
		runCli(
			[
				'witness:add',
				'--verifier',
				made.trim().split('\n').at(-1)!,
				'--label',
				'Bawaslu Gorontalo'
			],
			env
		);
		const logKey = (await (await fetch(`${base}/api/v1/log/key`)).text()).trim();
		const cosigned = runCli(
			['witness', '--log', base, '--log-key', logKey, '--key', witnessKey],
			env
		);
		expect(cosigned).toMatch(/cosigned the tree of \d+/);

		await page.goto(reportUrl);
		await expect(page.getByTestId('report-region')).toHaveText('GORONTALO');
		await expect(page.getByTestId('witnessed')).toContainText('Bawaslu Gorontalo');
		await expect(page.getByTestId('report-status')).toContainText('Angka dibekukan');
		// The day's evidence: how many heartbeats the province received, and their digest.
		await expect(page.getByTestId('report-digest')).toContainText(/SHA-256 .*[0-9a-f]{64}/);
		await expect(page.getByTestId('report-date')).toContainText('Hari ke-2 dari 30');
		// 40 TPS at 60 verified each, in a province whose targets are simulated.
		const headline = (await page.getByTestId('report-coverage').innerText()).trim();
		expect(headline).toMatch(/^\d+,\d%$/);
		expect(headline).not.toBe('0,0%');
		await expect(page.getByTestId('report-children').locator('tbody tr')).toHaveCount(6);
		await expect(page.getByTestId('report-largest').locator('tbody tr')).toHaveCount(10);
		await expect(page.getByTestId('report-states')).toContainText('aktif');
		// The map's gap colours measure that day's target, and its legend says so.
		await expect(page.getByRole('figure')).toContainText('Kekurangan thd target hari itu');
		await expect(page.locator('[data-report-ready]')).toHaveCount(1);
		await page.screenshot({ path: 'test-results/screens/report-gorontalo.png', fullPage: true });
		const before = await reportText(page);

		// Day 3: the same phones sync again. The day-2 report does not move; today's does.
		await syncAll(tokens, 120);
		await page.goto(reportUrl);
		expect(await reportText(page)).toBe(before);
		await page.goto(`${base}/wilayah/75/laporan`);
		await expect(page.getByTestId('report-status')).toContainText('Sementara');
		// Today's report is built at most every 15 s and shared: a second look 0.2 s later (6
		// minutes on this clock) names the same moment of generation.
		const generated = async () =>
			/Dicetak oleh [^<]+ pada ([^<]+)</.exec(
				await (await page.request.get(`${base}/wilayah/75/laporan`)).text()
			)?.[1];
		const first = await generated();
		expect(first).toMatch(/WITA$/);
		await new Promise((resolve) => setTimeout(resolve, 200));
		expect(await generated()).toBe(first);
		await page.goto(reportUrl);

		// The PDF: the same report, A4, text read back.
		const [pdfDownload] = await Promise.all([
			page.waitForEvent('download'),
			page.getByTestId('report-pdf').click()
		]);
		expect(pdfDownload.suggestedFilename()).toBe(`laporan-rakor-75-${day2}.pdf`);
		const pdf = new Uint8Array(readFileSync((await pdfDownload.path())!));
		expect(Buffer.from(pdf.subarray(0, 5)).toString()).toBe('%PDF-');
		const { pages, text } = await pdfText(pdf);
		expect(text).toContain('GORONTALO');
		expect(text).toContain(day2);
		expect(text).toContain(headline);
		expect(text).toMatch(/Halaman 1 dari \d/);
		// Printed for the minutes: who printed it and when, in the province's zone; none of the
		// page's navigation, language or logout buttons, or its download and print buttons.
		expect(text).toMatch(/Dicetak oleh Ratna Sari \(demo\) pada [^\n]+ WITA/);
		// The footer too (every page): the region, the date and the print time in WITA, never UTC.
		expect(text).toMatch(
			new RegExp(
				`Pantau Coklit · GORONTALO · ${day2} · Dicetak oleh Ratna Sari \\(demo\\) pada [^·\\n]+ WITA`
			)
		);
		expect(text).not.toMatch(/UTC|GMT/);
		for (const control of ['Keluar', 'English', 'Unduh PDF', 'Cetak', 'Wilayah Peringatan'])
			expect(text).not.toContain(control);
		expect(pages.length).toBeGreaterThanOrEqual(1);

		// The XLSX: the same tables.
		const xlsx = await page.request.get(
			`${base}/wilayah/75/laporan/unduh?tanggal=${day2}&format=xlsx`
		);
		expect(xlsx.status()).toBe(200);
		const book = new ExcelJS.Workbook();
		await book.xlsx.load((await xlsx.body()) as unknown as ArrayBuffer);
		expect(book.worksheets.map((s) => s.name)).toEqual([
			'Ringkasan',
			'Wilayah',
			'Status Pantarlih',
			'Peringatan',
			'TPS terjauh'
		]);
		expect(book.getWorksheet('Wilayah')!.rowCount).toBe(7);
		expect(book.getWorksheet('TPS terjauh')!.rowCount).toBe(11);
		// Times as real dates on the province's clock, shares as percentages, states in words of
		// that day (never "hari ini" for a frozen day).
		const summary = book.getWorksheet('Ringkasan')!;
		const item = (label: string) => {
			for (let i = 2; i <= summary.rowCount; i++)
				if (summary.getRow(i).getCell(1).value === label) return summary.getRow(i).getCell(2);
			throw new Error(`no row ${label}`);
		};
		expect(item('Dibekukan pada').value).toBeInstanceOf(Date);
		expect(item('Dibekukan pada').numFmt).toBe('d mmm yyyy hh:mm');
		expect(item('Tanggal').value).toEqual(new Date(`${day2}T00:00:00Z`));
		expect(item('Zona waktu').value).toBe('WITA');
		expect(item('Cakupan').numFmt).toBe('0.0%');
		const regions = book.getWorksheet('Wilayah')!;
		const states = regions.getColumn(11).values.slice(2).map(String);
		expect(states.length).toBe(6);
		for (const state of states) expect(state).not.toMatch(/hari ini/);

		// Bad input changes nothing and says why.
		const future = await page.request.get(`${base}/wilayah/75/laporan?tanggal=2099-01-01`);
		expect(future.status()).toBe(404);
		const impossible = await page.request.get(`${base}/wilayah/75/laporan?tanggal=2026-02-31`);
		expect(impossible.status()).toBe(400);
		const bad = await page.request.get(
			`${base}/wilayah/75/laporan/unduh?tanggal=${day2}&format=doc`
		);
		expect(bad.status()).toBe(400);

		// Both downloads are in the audit log.
		await page.goto(`${base}/audit`);
		await expect(page.getByText('Unduh laporan rakor (PDF)')).toHaveCount(1);
		await expect(page.getByText('Unduh laporan rakor (XLSX)')).toHaveCount(1);
	} finally {
		server.kill('SIGTERM');
		await new Promise((resolve) => server.once('exit', resolve));
		rmSync(work, { recursive: true, force: true });
	}
});
