/**
 * Alerts in the browser: a decrease reported by a phone becomes a data-quality alert at
 * /peringatan for the coordinator of that regency, who acknowledges it with a note; an observer
 * sees the same alert and gets no way, and no right, to change it.
 */
import { expect, test } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { sync } from '../fixtures/heartbeats';
import { client, loginPage } from './accounts';

test('a decrease opens a data-quality alert; the coordinator acknowledges it, the observer cannot', async ({
	page,
	baseURL
}) => {
	const [tps, token] = bulkTokens('3501', { DATA_DIR: e2eDataDir, DATABASE_URL: '' })[5];
	const send = async (verified: number, minutesAgo: number) =>
		expect(await sync(baseURL!, token, tps, verified, {}, minutesAgo)).toBe(200);
	await send(40, 4);
	await send(30, 2);

	await loginPage(page, 'coordinator');
	await page.goto(`/peringatan?wilayah=${tps.slice(0, 6)}&aturan=data_quality`);
	const group = page.getByTestId('district-alerts').first();
	await expect(group).toContainText('Kualitas data: 1');
	await group.locator('summary').click();
	const row = group.getByTestId('tps-alert').filter({ hasText: `TPS ${tps.slice(10)}` });
	await expect(row).toContainText('turun dari sebelumnya: 40 → 30');
	await expect(row.getByRole('link', { name: new RegExp(`TPS ${tps.slice(10)}`) })).toHaveAttribute(
		'href',
		`/wilayah/${tps}`
	);
	await row.getByLabel('Catatan').fill('sudah dihubungi, salah input');
	await row.getByRole('button', { name: 'Tandai ditangani' }).click();
	await expect(page.getByText('Peringatan ditandai ditangani')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/alerts-coordinator.png', fullPage: true });

	// The observer (Jawa Timur) sees it, acknowledged, and has no buttons.
	const observer = await page.context().browser()!.newContext();
	const view = await observer.newPage();
	await loginPage(view, 'observer');
	await view.goto(`/peringatan?wilayah=${tps.slice(0, 6)}&aturan=data_quality&status=acknowledged`);
	const seen = view.getByTestId('district-alerts').first();
	await seen.locator('summary').click();
	await expect(seen).toContainText('sudah dihubungi, salah input');
	await expect(view.getByRole('button', { name: 'Tandai ditangani' })).toHaveCount(0);
	await observer.close();

	// And a forged form post from the observer is refused.
	const api = await client(baseURL!, 'observer');
	const refused = await api.post('/peringatan?/resolve', { form: { id: '1', note: 'x' } });
	expect(refused.status()).toBe(403);
	await api.dispose();
});
