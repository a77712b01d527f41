/**
 * Every page as each role sees it, on a 360 px phone and a 1366 px laptop: a full-page screenshot
 * under test-results/screens/ for a person to look at, no page wider than its screen (no sideways
 * scrolling), and axe-core finding no serious or critical accessibility violation.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { loginPage, type RoleName } from './accounts';

/** A TPS and a village of Pacitan (Jawa Timur), inside every signed-in scope here. */
const TPS = '3501012001001';
const VILLAGE = '3501012001';

const PAGES: Record<RoleName, [name: string, path: string][]> = {
	admin: [
		['nation', '/wilayah/id'],
		['province', '/wilayah/35'],
		['report-nation', '/wilayah/id/laporan'],
		['alerts', '/peringatan?wilayah=3501'],
		['users', '/admin/users'],
		['import', '/admin/import'],
		['campaign', '/admin/campaign'],
		['audit', '/audit'],
		['not-found', '/wilayah/3599']
	],
	leader: [
		['province', '/wilayah/35'],
		['regency', '/wilayah/3501'],
		['report-province', '/wilayah/35/laporan'],
		['alerts', '/peringatan'],
		['users', '/admin/users'],
		['forbidden', '/wilayah/31']
	],
	coordinator: [
		['regency', '/wilayah/3501'],
		['district', '/wilayah/350101'],
		['village', `/wilayah/${VILLAGE}`],
		['tps', `/wilayah/${TPS}`],
		['pantarlih', '/wilayah/3501/pantarlih'],
		['report-regency', '/wilayah/3501/laporan'],
		['alerts', '/peringatan'],
		['import', '/admin/import']
	],
	observer: [
		['province', '/wilayah/35'],
		['tps', `/wilayah/${TPS}`],
		['pantarlih', '/wilayah/3501/pantarlih'],
		['report-province', '/wilayah/35/laporan'],
		['alerts', '/peringatan'],
		['audit', '/audit']
	]
};

const WIDTHS = [360, 1366];

async function look(page: Page, file: string) {
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
	).toHaveCount(0);
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
	const axe = await new AxeBuilder({ page })
		// Leaflet's attribution and map panes are third-party markup outside our control.
		.exclude('.leaflet-control-attribution')
		.analyze();
	const serious = axe.violations
		.filter((v) => v.impact === 'serious' || v.impact === 'critical')
		.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
	return { overflow, serious };
}

test.describe.configure({ timeout: 240_000 });

test('the public page: login, at both widths', async ({ page }) => {
	const problems: string[] = [];
	for (const width of WIDTHS) {
		await page.setViewportSize({ width, height: 800 });
		await page.goto('/login');
		const { overflow, serious } = await look(page, `nobody-login-${width}`);
		if (overflow.scroll > 0) problems.push(`login ${width}: ${overflow.scroll}px too wide`);
		problems.push(...serious.map((s) => `login ${width}: ${s}`));
	}
	expect(problems).toEqual([]);
});

for (const role of Object.keys(PAGES) as RoleName[]) {
	test(`every page of the ${role}, at 360 and 1366 px`, async ({ page }) => {
		await loginPage(page, role);
		const problems: string[] = [];
		for (const width of WIDTHS) {
			await page.setViewportSize({ width, height: 800 });
			for (const [name, path] of PAGES[role]) {
				await page.goto(path);
				const { overflow, serious } = await look(page, `${role}-${name}-${width}`);
				if (overflow.scroll > 0)
					problems.push(
						`${name} ${width}: ${overflow.scroll}px wider than the screen (${overflow.wide.join(', ')})`
					);
				problems.push(...serious.map((s) => `${name} ${width}: ${s}`));
			}
		}
		expect(problems).toEqual([]);
	});
}
