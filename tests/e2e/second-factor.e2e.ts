/**
 * Second factors in the browser (Debian Chromium): forced enrolment of a coordinator, an
 * authenticator app read from the page and its codes computed here, replayed, wrong and expired
 * codes refused, a recovery code once, a passkey through Chromium's virtual authenticator (the
 * DevTools Protocol's WebAuthn domain), the sessions page ending another browser's session and
 * closing its live socket, and re-authentication before a village's phones are re-enrolled.
 */
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import postgres from 'postgres';
import { io } from 'socket.io-client';
import { e2eDataDir } from '../config/playwright.config';
import { totpCode, totpStep } from '../../src/lib/domain/second-factor';
import { socketFolder } from '../../src/lib/server/platform/db/embedded';
import { loginCookie } from '../fixtures/server';
import { ACCOUNTS, client, loginPage, PASSWORD } from './accounts';

const EMAIL = 'koordinator.dua@uji.pantau.id';
const OWN_PASSWORD = 'sandi-uji-12345';
let secret: Uint8Array;
/** The time step of the last code the server accepted: the next code must be later. */
let lastStep = 0;
let recovery: string[] = [];

/** The e2e server's embedded database, to let time pass for a session (its last proof). */
const database = () =>
	postgres({
		host: socketFolder(`${e2eDataDir}/postgres`),
		port: 5432,
		user: 'pantau',
		database: 'pantau',
		max: 1
	});

/** A page at 360 and 1366 px: a screenshot to look at, nothing wider than the screen, axe clean. */
async function lookAt(page: Page, name: string) {
	for (const width of [360, 1366]) {
		await page.setViewportSize({ width, height: 800 });
		await page.screenshot({ path: `test-results/screens/${name}-${width}.png`, fullPage: true });
		const wider = await page.evaluate(
			() => document.documentElement.scrollWidth - document.documentElement.clientWidth
		);
		expect(wider, `${name} at ${width} px`).toBe(0);
		const axe = await new AxeBuilder({ page }).setLegacyMode(true).analyze();
		expect(
			axe.violations
				.filter((v) => v.impact === 'serious' || v.impact === 'critical')
				.map((v) => `${name} ${width}: ${v.id}`)
		).toEqual([]);
	}
}

async function signIn(page: Page, email: string, password: string) {
	await page.goto('/login');
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Kata sandi').fill(password);
	await page.getByRole('button', { name: 'Masuk' }).click();
}

async function signOut(page: Page) {
	await page.getByRole('button', { name: 'Keluar' }).first().click();
	await page.waitForURL(/\/login/);
}

/** A code for a step after the last one used (the server accepts two steps of drift). */
function nextCode(): string {
	const step = Math.max(totpStep(Date.now()), lastStep + 1);
	lastStep = step;
	return totpCode(secret, step);
}

async function typeCode(page: Page, code: string) {
	await page.getByLabel('Kode 6 angka dari aplikasi autentikator').fill(code);
	await page.getByRole('button', { name: 'Lanjut' }).click();
}

test.describe.configure({ mode: 'serial' });

test('a coordinator without a factor is sent to enrol before any page; the app is set up from its QR page', async ({
	page,
	baseURL
}) => {
	const admin = await client(baseURL!, 'admin');
	const made = await admin.post('/admin/users?/create', {
		form: {
			email: EMAIL,
			name: 'Koordinator Dua',
			password: OWN_PASSWORD,
			role: 'coordinator',
			scope: '3502'
		}
	});
	expect(made.status()).toBe(200);
	await admin.dispose();

	await signIn(page, EMAIL, OWN_PASSWORD);
	await page.waitForURL(/\/masuk\/faktor/);
	await expect(page.getByRole('heading', { name: 'Pasang faktor kedua' })).toBeVisible();
	// Any other page sends it back here.
	await page.goto('/wilayah/3502');
	await page.waitForURL(/\/masuk\/faktor\?ke=%2Fwilayah%2F3502/);
	const api = await page.request.get('/api/v1/regions/3502');
	expect(api.status()).toBe(401);

	await page.getByRole('button', { name: 'Pasang aplikasi autentikator' }).click();
	const shown = (await page.getByTestId('totp-secret').textContent())!.replace(/\s/g, '');
	secret = decodeBase32IgnorePadding(shown);
	await lookAt(page, 'enrol-totp');
	await page.getByLabel('Kode 6 angka dari aplikasi autentikator').fill(nextCode());
	await page.getByRole('button', { name: 'Konfirmasi' }).click();
	const codes = page.getByTestId('recovery-codes');
	await expect(codes.locator('li')).toHaveCount(10);
	await lookAt(page, 'enrol-done');
	recovery = (await codes.locator('li').allTextContents()).map((c) => c.trim());
	await page.getByRole('link', { name: 'Lanjutkan' }).click();
	await page.waitForURL(/\/wilayah\/3502/);
	await signOut(page);
});

test('the second step refuses a replayed, a wrong and an expired code, and takes the next one', async ({
	page
}) => {
	await signIn(page, EMAIL, OWN_PASSWORD);
	await page.waitForURL(/\/masuk\/kode/);
	// Waiting for the second step, the enrolment forms do nothing: adding a factor of one's own
	// must not stand in for proving the one enrolled.
	for (const action of ['totpStart', 'passkeyOptions', 'totpRemove'])
		expect(
			await (
				await page.request.post(`/masuk/faktor?/${action}`, {
					headers: { origin: new URL(page.url()).origin, 'x-sveltekit-action': 'true' },
					multipart: {}
				})
			).json()
		).toMatchObject({ type: 'failure', status: 403 });
	// Nor does any page: it sends the browser back to the step.
	await page.goto('/wilayah/3502');
	await page.waitForURL(/\/masuk\/kode\?ke=%2Fwilayah%2F3502/);
	// The code the enrolment used: refused as used.
	await typeCode(page, totpCode(secret, lastStep));
	await expect(page.getByRole('alert')).toContainText('sudah dipakai');
	await typeCode(
		page,
		String((Number(totpCode(secret, lastStep + 1)) + 1) % 1_000_000).padStart(6, '0')
	);
	await expect(page.getByRole('alert')).toContainText('salah atau sudah kedaluwarsa');
	// Three steps (90 s) old: past the drift allowed.
	await typeCode(page, totpCode(secret, totpStep(Date.now()) - 3));
	await expect(page.getByRole('alert')).toContainText('salah atau sudah kedaluwarsa');
	await lookAt(page, 'second-step');
	await typeCode(page, nextCode());
	await page.waitForURL(/\/wilayah\/3502/);
	await signOut(page);
});

test('a recovery code works once', async ({ page }) => {
	for (const expected of ['in', 'refused']) {
		await signIn(page, EMAIL, OWN_PASSWORD);
		await page.waitForURL(/\/masuk\/kode/);
		await page.getByRole('button', { name: 'Pakai kode pemulihan' }).click();
		await page.getByLabel('Kode pemulihan').fill(recovery[0]);
		await page.getByRole('button', { name: 'Lanjut' }).click();
		if (expected === 'in') {
			await page.waitForURL(/\/wilayah\/3502/);
			await signOut(page);
		} else await expect(page.getByRole('alert')).toContainText('salah');
	}
});

test('a passkey made with the virtual authenticator signs in', async ({ page }) => {
	const cdp = await page.context().newCDPSession(page);
	await cdp.send('WebAuthn.enable');
	await cdp.send('WebAuthn.addVirtualAuthenticator', {
		options: {
			protocol: 'ctap2',
			transport: 'internal',
			hasResidentKey: true,
			hasUserVerification: true,
			isUserVerified: true
		}
	});
	await signIn(page, EMAIL, OWN_PASSWORD);
	await page.waitForURL(/\/masuk\/kode/);
	await typeCode(page, nextCode());
	await page.waitForURL(/\/wilayah\/3502/);
	await page.goto('/akun');
	await page.getByLabel('Nama passkey').fill('Laptop kantor');
	await page.getByRole('button', { name: 'Tambah passkey' }).click();
	await expect(page.getByText('Laptop kantor')).toBeVisible();
	await lookAt(page, 'account-passkey');
	await signOut(page);

	await signIn(page, EMAIL, OWN_PASSWORD);
	await page.waitForURL(/\/masuk\/kode/);
	await page.getByRole('button', { name: 'Pakai passkey' }).click();
	await page.waitForURL(/\/wilayah\/3502/);
	const sql = database();
	const [key] = await sql`select name, last_used_at from passkeys`;
	await sql.end();
	expect(key.name).toBe('Laptop kantor');
	expect(key.last_used_at).not.toBeNull();
});

test('the sessions page ends another browser: signed out on its next request, its socket closed', async ({
	browser,
	baseURL
}) => {
	// An observer of its own (no factor required, no other test's sessions): two browsers.
	const admin = await client(baseURL!, 'admin');
	const observer = 'bawaslu.dua@uji.pantau.id';
	await admin.post('/admin/users?/create', {
		form: {
			email: observer,
			name: 'Bawaslu Dua',
			password: OWN_PASSWORD,
			role: 'observer',
			scope: '35'
		}
	});
	await admin.dispose();
	const other = await browser.newContext();
	const otherPage = await other.newPage();
	await signIn(otherPage, observer, OWN_PASSWORD);
	await otherPage.waitForURL(/\/wilayah\//);
	const cookie = await loginCookie(baseURL!, observer, OWN_PASSWORD);
	const socket = io(baseURL!, { transports: ['websocket'], extraHeaders: { cookie } });
	await new Promise<void>((resolve, reject) => {
		socket.on('connect', () => resolve());
		socket.on('connect_error', reject);
	});
	const closed = new Promise<string>((resolve) => socket.on('disconnect', resolve));

	const mine = await browser.newContext();
	const page = await mine.newPage();
	await signIn(page, observer, OWN_PASSWORD);
	await page.waitForURL(/\/wilayah\//);
	await page.goto('/akun/sesi');
	const rows = page.getByTestId('sessions').locator('li');
	await expect(rows).toHaveCount(3);
	await expect(page.getByText('sesi ini', { exact: true })).toBeVisible();
	await lookAt(page, 'sessions-three');
	await page.getByRole('button', { name: 'Keluar dari semua sesi lain' }).click();
	await expect(page.getByText('2 sesi lain diakhiri')).toBeVisible();
	await expect(rows).toHaveCount(1);

	expect(await closed).toBe('io server disconnect');
	await otherPage.goto('/wilayah/35');
	await otherPage.waitForURL(/\/login/);
	socket.close();
	await other.close();
	await mine.close();
});

test('re-enrolling a village asks for the password again after ten minutes, then not again', async ({
	page
}) => {
	await loginPage(page, 'coordinator');
	// Eleven minutes pass since this session's last proof.
	const sql = database();
	await sql`update sessions set proven_at = now() - interval '11 minutes'
		where user_id = (select id from users where email = ${ACCOUNTS.coordinator.email})`;
	await page.goto('/wilayah/3501/pantarlih?desa=3501102003');
	await page.getByTestId('enrol-village').click();
	await page
		.getByRole('alertdialog')
		.getByRole('button', { name: /Ya, terbitkan/ })
		.click();
	const prompt = page.locator('[data-reauth]');
	await expect(prompt).toContainText('konfirmasikan dulu identitas Anda');
	await lookAt(page, 'reauth');
	await prompt.getByLabel('Kata sandi').fill(PASSWORD);
	await prompt.getByRole('button', { name: 'Konfirmasi' }).click();
	// The same act, sent again unchanged, went through.
	await expect(page.getByTestId('enrolment-sheet').first()).toBeVisible();
	await expect(prompt).toHaveCount(0);
	// Within ten minutes: not asked again.
	await page.getByTestId('enrol-village').click();
	await page
		.getByRole('alertdialog')
		.getByRole('button', { name: /Ya, terbitkan/ })
		.click();
	await expect(page.getByTestId('enrolment-sheet').first()).toBeVisible();
	await expect(prompt).toHaveCount(0);
	const [entry] = await sql`select count(*)::int as n from audit_log
		where action = 'reauth' and actor = ${ACCOUNTS.coordinator.email}`;
	await sql.end();
	expect(entry.n).toBe(1);
});
