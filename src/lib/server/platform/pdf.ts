/**
 * Report PDFs, printed by headless Chromium from the report page itself (so the PDF is the page
 * a person sees: same map, chart and tables), through playwright-core. One browser is started on
 * the first request and kept; PDFs are made one at a time so a meeting's worth of clicks cannot
 * exhaust memory. The browser carries the requester's own session cookie, so it sees exactly
 * what they may see.
 */
import { existsSync } from 'node:fs';
import { AppError } from '../../domain/errors';
import { chromium, type Browser } from 'playwright-core';
import { escapeHtml } from '../../html';
import { config } from './env';
import { logger } from './log';
import { sessionCookieName } from '../accounts/session';

let browser: Promise<Browser> | null = null;
let queue: Promise<unknown> = Promise.resolve();

function launch(): Promise<Browser> {
	const executablePath = config().CHROMIUM_PATH;
	if (!existsSync(executablePath))
		throw new AppError('pdfUnavailable', {
			detail: `Chromium is not at ${executablePath} (set CHROMIUM_PATH)`
		});
	browser ??= chromium
		.launch({
			executablePath,
			args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-dev-shm-usage']
		})
		.then((started) => {
			started.on('disconnected', () => (browser = null));
			return started;
		})
		.catch((error: Error) => {
			browser = null;
			throw new AppError('pdfUnavailable', { detail: `Chromium did not start (${error.message})` });
		});
	return browser;
}

export interface PdfRequest {
	/** Path and query of the page to print, e.g. /wilayah/35/laporan?tanggal=2026-02-20&cetak=1 */
	path: string;
	/** The origin the request came to; REPORT_ORIGIN wins when set. */
	origin: string;
	session: string;
	/** Left in the footer of every page, with the page numbers. */
	footer: string;
}

async function render({ path, origin, session, footer }: PdfRequest): Promise<Uint8Array> {
	const base = config().REPORT_ORIGIN ?? origin;
	// The page is laid out at the printed width (A4 less its margins) before it is printed, so the
	// map fits the whole region as it will appear on paper (the nation with Papua).
	const context = await (
		await launch()
	).newContext({
		locale: 'id-ID',
		viewport: { width: 718, height: 1000 }
	});
	try {
		await context.addCookies([{ name: sessionCookieName, value: session, url: base }]);
		const page = await context.newPage();
		const response = await page.goto(new URL(path, base).toString(), {
			waitUntil: 'networkidle',
			timeout: 30_000
		});
		if (!response?.ok()) throw new Error(`the report page answered ${response?.status()}`);
		// The page marks itself ready once its map and chart have drawn.
		await page.locator('[data-report-ready]').waitFor({ timeout: 15_000 });
		await page.emulateMedia({ media: 'print' });
		return await page.pdf({
			format: 'A4',
			printBackground: true,
			displayHeaderFooter: true,
			headerTemplate: '<span></span>',
			footerTemplate: `<div style="font-size:7pt;width:100%;margin:0 10mm;display:flex;justify-content:space-between;color:#555">
				<span>${escapeHtml(footer)}</span>
				<span>Halaman <span class="pageNumber"></span> dari <span class="totalPages"></span></span></div>`,
			margin: { top: '10mm', bottom: '14mm', left: '10mm', right: '10mm' }
		});
	} finally {
		await context.close();
	}
}

/** Prints a page to an A4 PDF; waits its turn behind other PDFs. */
export function printPdf(request: PdfRequest): Promise<Uint8Array> {
	const result = queue.then(() => render(request));
	queue = result.catch(() => undefined);
	return result;
}

/** Closes the browser (server shutdown). */
export async function closePdf(): Promise<void> {
	const running = browser;
	browser = null;
	if (running)
		await (await running.catch(() => null))?.close().catch((error: Error) => {
			logger().warn(`[pdf] closing Chromium failed: ${error.message}`);
		});
}
