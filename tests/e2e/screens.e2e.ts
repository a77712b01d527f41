/**
 * Every page as each role sees it, on a 360 px phone and a 1366 px laptop: a full-page screenshot
 * under test-results/screens/ for a person to look at, no page wider than its screen (no sideways
 * scrolling), no script error or console error, and axe-core finding no serious or critical
 * accessibility violation. Phones of a Pacitan village report their location first, so the
 * regency's, district's and village's maps have points to draw (a map without points never ran
 * the code that failed on them).
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { sync } from '../fixtures/heartbeats';
import { loginPage, type RoleName } from './accounts';

/** A TPS and a village of Pacitan (Jawa Timur), inside every signed-in scope here. */
const TPS = '3501012001001';
const VILLAGE = '3501012001';

const PAGES: Record<RoleName, [name: string, path: string][]> = {
	admin: [
		['nation', '/wilayah/id'],
		['province', '/wilayah/35'],
		['report-nation', '/wilayah/id/laporan'],
		['alerts', '/peringatan'],
		['alerts-regency', '/peringatan?wilayah=3501'],
		['users', '/admin/users'],
		['import', '/admin/import'],
		['campaign', '/admin/campaign'],
		['audit', '/audit'],
		['not-found', '/wilayah/3599'],
		['account', '/akun'],
		['sessions', '/akun/sesi'],
		['tokens', '/akun/token']
	],
	leader: [
		['province', '/wilayah/35'],
		['regency', '/wilayah/3501'],
		['report-province', '/wilayah/35/laporan'],
		['alerts', '/peringatan'],
		['users', '/admin/users'],
		['forbidden', '/wilayah/31'],
		['account', '/akun'],
		['sessions', '/akun/sesi'],
		['tokens', '/akun/token']
	],
	coordinator: [
		['regency', '/wilayah/3501'],
		['district', '/wilayah/350101'],
		['village', `/wilayah/${VILLAGE}`],
		['tps', `/wilayah/${TPS}`],
		['pantarlih', '/wilayah/3501/pantarlih'],
		['report-regency', '/wilayah/3501/laporan'],
		['alerts', '/peringatan'],
		['import', '/admin/import'],
		['account', '/akun'],
		['sessions', '/akun/sesi'],
		['tokens', '/akun/token']
	],
	observer: [
		['province', '/wilayah/35'],
		['tps', `/wilayah/${TPS}`],
		['pantarlih', '/wilayah/3501/pantarlih'],
		['report-province', '/wilayah/35/laporan'],
		['alerts', '/peringatan'],
		['audit', '/audit'],
		['proof', '/bukti'],
		['account', '/akun'],
		['sessions', '/akun/sesi'],
		['tokens', '/akun/token']
	]
};

const WIDTHS = [360, 1366];

async function look(page: Page, file: string, { contrast = true } = {}) {
	// 'networkidle', not 'load': at 'load' the page may not be hydrated yet, and a map or chart
	// scrolled past before hydration is never drawn (it draws when it comes near the screen).
	await page.waitForLoadState('networkidle');
	// Maps and charts draw when they come near the screen: scroll through the page as a reader
	// would, back to the top, and wait until every map and chart says it is drawn (data-drawn,
	// set once the boundaries, points or chart are on it).
	await page.evaluate(async () => {
		for (let y = 0; y < document.documentElement.scrollHeight; y += innerHeight) {
			scrollTo(0, y);
			await new Promise((resolve) => requestAnimationFrame(resolve));
		}
		scrollTo(0, 0);
	});
	await expect(
		page.locator(
			'[data-testid="coverage-map"]:not([data-drawn]), [data-testid="points-map"]:not([data-drawn]), canvas:not([data-drawn])'
		)
	).toHaveCount(0, { timeout: 20_000 });
	const overflow = await page.evaluate(() => {
		const width = document.documentElement.clientWidth;
		const wide = [...document.querySelectorAll('body *')]
			.filter((el) => {
				const box = el.getBoundingClientRect();
				return box.width > 0 && box.right > width + 1;
			})
			.slice(0, 3)
			.map((el) => `${el.tagName.toLowerCase()}.${String(el.className).slice(0, 40)}`);
		return { scroll: document.documentElement.scrollWidth - width, wide };
	});
	await page.screenshot({ path: `test-results/screens/${file}.png`, fullPage: true });
	let builder = new AxeBuilder({ page })
		// The pages have no frames: axe runs in the page itself rather than finishing in a second
		// blank page (half the time, measured: 3.2 s instead of 5.3 s on the nation's page).
		.setLegacyMode(true)
		// Leaflet's attribution and map panes are third-party markup outside our control.
		.exclude('.leaflet-control-attribution');
	// Colours do not change with the width: their contrast is checked once, at 1366 px (it is
	// most of axe's time on a large page).
	if (!contrast) builder = builder.disableRules(['color-contrast']);
	const axe = await builder.analyze();
	const serious = axe.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	return { overflow, serious };
}

// A role's pages one after another, each at two widths with axe: up to 14 pages a role since the
// account pages joined; CI runs it beside the fault suite and the month test.
test.describe.configure({ timeout: 360_000 });

test.beforeAll(async ({ baseURL }) => {
	// Pacitan village 3501012001's phones (the district 350101, the regency 3501) with locations.
	const phones = bulkTokens(VILLAGE, { DATA_DIR: e2eDataDir, DATABASE_URL: '' });
	for (const [i, [tps, token]] of phones.entries())
		expect(
			await sync(baseURL!, token, tps, 20 + i * 7, {
				lat: -8.19 + i * 0.002,
				lng: 111.1 + i * 0.003
			})
		).toBe(200);
});

/** Script errors and console errors of a page, as they happen. */
function listen(page: Page): string[] {
	const errors: string[] = [];
	page.on('pageerror', (error) => errors.push(`script error: ${error.message}`));
	page.on('console', (message) => {
		if (message.type() === 'error') errors.push(`console: ${message.text()}`);
	});
	return errors;
}

test('the public page: login, at both widths', async ({ page }) => {
	const problems: string[] = [];
	const errors = listen(page);
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 800 });
		await page.goto('/login');
		const { overflow, serious } = await look(page, `nobody-login-${width}`);
		if (overflow.scroll > 0) problems.push(`login ${width}: ${overflow.scroll}px too wide`);
		problems.push(...serious.map((s) => `login ${width}: ${s}`));
		problems.push(...errors.splice(0).map((e) => `login ${width}: ${e}`));
	}
	expect(problems).toEqual([]);
});

for (const role of Object.keys(PAGES) as RoleName[]) {
	test(`every page of the ${role}, at 360 and 1366 px`, async ({ page }) => {
		const errors = listen(page);
		await loginPage(page, role);
		const problems: string[] = [];
		for (const width of WIDTHS) {
			await page.setViewportSize({ width, height: 800 });
			for (const [name, path] of PAGES[role]) {
				await page.goto(path);
				const { overflow, serious } = await look(page, `${role}-${name}-${width}`, {
					contrast: width === 1366
				});
				if (overflow.scroll > 0)
					problems.push(
						`${name} ${width}: ${overflow.scroll}px wider than the screen (${overflow.wide.join(', ')})`
					);
				problems.push(...serious.map((s) => `${name} ${width}: ${s}`));
				// The error pages answer 403/404 on purpose; the browser logs that status.
				const expected = (e: string) =>
					(name === 'not-found' || name === 'forbidden') &&
					/Failed to load resource: .* status of 40[34]/.test(e);
				problems.push(
					...errors
						.splice(0)
						.filter((e) => !expected(e))
						.map((e) => `${name} ${width}: ${e}`)
				);
			}
		}
		expect(problems).toEqual([]);
	});
}
