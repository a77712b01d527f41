/**
 * Alerts in the browser: a decrease reported by a phone becomes a data-quality alert at
 * /peringatan for the coordinator of that regency, counted under its rule and its district, listed
 * with the TPS's Pantarlih to call; the coordinator acknowledges it with a note; an observer sees
 * the same alert with the phone masked and gets no way, and no right, to change it.
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
	await page.goto(`/peringatan?wilayah=${tps.slice(0, 4)}&aturan=data_quality`);
	// Counted under its rule and its district (the regency's next level down), exactly.
	await expect(page.getByTestId('alerts-by-rule')).toContainText('Kualitas data 1');
	const district = page.getByTestId('alert-groups').getByRole('row').filter({ hasText: '1' });
	await expect(district).toHaveCount(1);
	await district.getByRole('link').click();
	await expect(page).toHaveURL(new RegExp(`wilayah=${tps.slice(0, 6)}`));
	const row = page.getByTestId('tps-alert').filter({ hasText: `TPS ${tps.slice(10)}` });
	await expect(row).toContainText('turun dari sebelumnya: 40 → 30');
	await expect(row.getByRole('link', { name: new RegExp(`TPS ${tps.slice(10)}`) })).toHaveAttribute(
		'href',
		`/wilayah/${tps}`
	);
	// Whom to call: the Pantarlih's name, phone and the WhatsApp and call buttons.
	const person = row.getByTestId('alert-pantarlih');
	await expect(person).toContainText(/\+628\d+/);
	await expect(person.getByRole('link', { name: 'WhatsApp' })).toHaveAttribute(
		'href',
		/^https:\/\/wa\.me\/628\d+\?text=/
	);
	await expect(person.getByRole('link', { name: 'Telepon' })).toHaveAttribute('href', /^tel:\+628/);
	await row.getByLabel('Catatan').fill('sudah dihubungi, salah input');
	await row.getByRole('button', { name: 'Tandai ditangani' }).click();
	await expect(page.getByText('Peringatan ditandai ditangani')).toBeVisible();
	await page.screenshot({ path: 'test-results/screens/alerts-coordinator.png', fullPage: true });

	// The observer (Jawa Timur) sees it, acknowledged, the phone masked, and has no buttons.
	const observer = await page.context().browser()!.newContext();
	const view = await observer.newPage();
	await loginPage(view, 'observer');
	await view.goto(`/peringatan?wilayah=${tps.slice(0, 6)}&aturan=data_quality&status=acknowledged`);
	const seen = view.getByTestId('tps-alert').filter({ hasText: `TPS ${tps.slice(10)}` });
	await expect(seen).toContainText('sudah dihubungi, salah input');
	await expect(seen.getByTestId('alert-pantarlih')).toContainText(/\+62 8\d\d-\*{4}-/);
	await expect(seen.getByRole('link', { name: 'WhatsApp' })).toHaveCount(0);
	await expect(view.getByRole('button', { name: 'Tandai ditangani' })).toHaveCount(0);
	await observer.close();

	// And a forged form post from the observer is refused.
	const api = await client(baseURL!, 'observer');
	const refused = await api.post('/peringatan?/resolve', { form: { id: '1', note: 'x' } });
	expect(refused.status()).toBe(403);
	await api.dispose();
});
