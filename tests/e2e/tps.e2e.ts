/**
 * The TPS page in the browser: reached from the village's TPS table; a heartbeat appears at the
 * top of its chronology without a reload, with what it did; a late older snapshot is stored and
 * said to move nothing; an observer sees the phone masked, on the page and in the API.
 */
import { expect, test } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { sync } from '../fixtures/heartbeats';
import { client, loginPage } from './accounts';

const MASKED = /\+62 8\d{2}-\*{4}-\*+\d{2}/;

test('a heartbeat appears in the TPS chronology live; a late older one moves nothing', async ({
	page,
	baseURL
}) => {
	const [tps, token] = bulkTokens('350104', { DATA_DIR: e2eDataDir, DATABASE_URL: '' })[0];
	const village = tps.slice(0, 10);
	await loginPage(page, 'coordinator');
	await page.goto(`/wilayah/${village}`);
	// The village lists its TPS; each opens its page.
	await page
		.getByTestId('tps-row')
		.filter({ hasText: `TPS ${tps.slice(10)}` })
		.getByRole('link')
		.first()
		.click();
	await expect(page).toHaveURL(new RegExp(`/wilayah/${tps}$`));
	await expect(page.getByRole('heading', { level: 1 })).toContainText(`TPS ${tps.slice(10)}`);
	await expect(page.getByTestId('live-status')).toHaveText('● langsung');

	expect(await sync(baseURL!, token, tps, 21, { app: '2.4.1' }, 30)).toBe(200);
	const entries = page.getByTestId('chronology-entry');
	await expect(entries).toHaveCount(1, { timeout: 10_000 });
	await expect(entries.first().getByTestId('effect')).toHaveText('angka pertama: 21');

	expect(await sync(baseURL!, token, tps, 34, {}, 10)).toBe(200);
	await expect(entries).toHaveCount(2, { timeout: 10_000 });
	await expect(entries.first().getByTestId('effect')).toHaveText('mengubah 21 → 34');
	await expect(page.getByTestId('tps-coverage').locator('xpath=..')).toContainText('34 /');

	// A backlog from earlier arrives late: stored, listed first (received last), moves nothing.
	expect(await sync(baseURL!, token, tps, 25, {}, 60)).toBe(200);
	await expect(entries).toHaveCount(3, { timeout: 10_000 });
	await expect(entries.first().getByTestId('effect')).toContainText('tidak mengubah apa pun');
	await expect(page.getByTestId('tps-coverage').locator('xpath=..')).toContainText('34 /');
	await page.screenshot({ path: 'test-results/screens/tps-chronology.png', fullPage: true });

	// The observer: the same chronology, the phone masked on the page and in the API.
	const observer = await page.context().browser()!.newContext();
	const view = await observer.newPage();
	await loginPage(view, 'observer');
	await view.goto(`/wilayah/${tps}`);
	await expect(view.getByTestId('chronology-entry')).toHaveCount(3);
	await expect(view.getByTestId('tps-phone')).toHaveText(MASKED);
	await expect(view.getByRole('link', { name: 'WhatsApp' })).toHaveCount(0);
	await observer.close();
	const api = await client(baseURL!, 'observer');
	const state = await (await api.get(`/api/v1/tps/${tps}`)).json();
	expect(state.pantarlih.phone).toMatch(MASKED);
	expect(state.verified).toBe(34);
	const history = await (await api.get(`/api/v1/tps/${tps}/heartbeats?limit=2`)).json();
	expect(history.entries.map((e: { verified: number }) => e.verified)).toEqual([25, 34]);
	const older = await (
		await api.get(`/api/v1/tps/${tps}/heartbeats?limit=2&after=${history.next}`)
	).json();
	expect(older.entries.map((e: { verified: number }) => e.verified)).toEqual([21]);
	expect(older.next).toBeNull();
	// A cursor the server did not sign, a malformed or unknown code: refused, with the reason.
	const forged = await api.get(`/api/v1/tps/${tps}/heartbeats?after=eyJyIjoxfQ.AAAA`);
	expect(forged.status()).toBe(400);
	expect((await api.get('/api/v1/tps/35010120010')).status()).toBe(400);
	const unknown = await api.get('/api/v1/tps/3501012001999');
	expect(unknown.status()).toBe(404);
	expect(await unknown.text()).toContain('3501012001999');
	await api.dispose();
});
