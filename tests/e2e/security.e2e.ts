import { expect, test } from '@playwright/test';
import { loginCookie } from '../fixtures/server';
import { ACCOUNTS, client, PASSWORD } from './accounts';

test('login issues a new session id (no fixation) with HttpOnly, SameSite=Lax cookies', async ({
	baseURL
}) => {
	const api = await client(baseURL!);
	const planted = 'pcs_attackerchosenvalue';
	const response = await api.post('/login', {
		form: { email: ACCOUNTS.leader.email, password: PASSWORD },
		headers: { cookie: `pantau_session=${planted}` }
	});
	expect(response.status()).toBe(303);
	const cookie = response.headers()['set-cookie'];
	expect(cookie).toMatch(/pantau_session=pcs_[a-z2-7]{32}/);
	expect(cookie).not.toContain(planted);
	expect(cookie).toMatch(/HttpOnly/i);
	expect(cookie).toMatch(/SameSite=Lax/i);
	await api.dispose();
});

test('logout ends the session on the server: the old cookie no longer works', async ({
	baseURL
}) => {
	const api = await client(baseURL!, 'coordinator');
	const state = await api.storageState();
	const token = state.cookies.find((c) => c.name === 'pantau_session')!.value;
	expect((await api.get('/wilayah/3501')).status()).toBe(200);
	expect((await api.post('/logout', { form: {} })).status()).toBe(303);
	const replay = await client(baseURL!);
	const response = await replay.get('/wilayah/3501', {
		headers: { cookie: `pantau_session=${token}` }
	});
	expect(response.status()).toBe(303);
	expect(response.headers()['location']).toMatch(/^\/login/);
	await api.dispose();
	await replay.dispose();
});

test('every page carries a CSP with frame-ancestors none and the other security headers', async ({
	baseURL
}) => {
	const api = await client(baseURL!, 'admin');
	for (const url of ['/login', '/wilayah/id', '/wilayah/35', '/admin/users']) {
		const response = await (url === '/login' ? (await client(baseURL!)).get(url) : api.get(url));
		const headers = response.headers();
		expect(headers['content-security-policy'], url).toMatch(/frame-ancestors 'none'/);
		expect(headers['content-security-policy'], url).toMatch(/default-src 'self'/);
		expect(headers['x-content-type-options'], url).toBe('nosniff');
		expect(headers['referrer-policy'], url).toBe('same-origin');
	}
	await api.dispose();
});

test('a form post from another origin is refused (CSRF)', async ({ baseURL }) => {
	const api = await client(baseURL!);
	const response = await api.post('/login', {
		form: { email: ACCOUNTS.admin.email, password: PASSWORD },
		headers: { origin: 'https://evil.example' }
	});
	expect(response.status()).toBe(403);
	await api.dispose();
});

test('redirect targets from a query or a form stay on this site, in every encoding', async ({
	baseURL
}) => {
	const api = await client(baseURL!, 'leader');
	const payloads = [
		'/%5Cevil.example/phish',
		'/%09/evil.example/phish',
		'/%0a/evil.example',
		'//evil.example/phish',
		'/%2F/evil.example',
		'https://evil.example/',
		'/\\evil.example'
	];
	const staysHere = (location: string | undefined) => {
		const target = new URL(location!, baseURL);
		expect(target.origin, location).toBe(new URL(baseURL!).origin);
	};
	for (const ke of payloads) {
		// Signed in already: /login sends the user on to `ke`.
		const response = await api.get(`/login?ke=${ke}`);
		expect(response.status()).toBe(303);
		staysHere(response.headers()['location']);
	}
	const fresh = await client(baseURL!);
	const login = await fresh.post(`/login?ke=${payloads[0]}`, {
		form: { email: ACCOUNTS.observer.email, password: PASSWORD }
	});
	expect(login.status()).toBe(303);
	staysHere(login.headers()['location']);
	for (const to of ['/\\evil.example/phish', '/\t/evil.example', '//evil.example']) {
		const response = await api.post('/bahasa', { form: { lang: 'en', to } });
		expect(response.status()).toBe(303);
		staysHere(response.headers()['location']);
	}
	await api.dispose();
	await fresh.dispose();
});

test('pages with personal data are not cached; boundary files are compressed and cacheable', async ({
	baseURL
}) => {
	const api = await client(baseURL!, 'coordinator');
	for (const url of ['/wilayah/3501', '/wilayah/3501/pantarlih']) {
		const response = await api.get(url);
		expect(response.status(), url).toBe(200);
		expect(response.headers()['cache-control'], url).toBe('private, no-store');
	}
	await api.dispose();
	const cookie = await loginCookie(baseURL!, ACCOUNTS.admin.email, PASSWORD);
	const page = await fetch(`${baseURL}/wilayah/id`, {
		headers: { cookie, 'accept-encoding': 'gzip' }
	});
	expect(page.headers.get('content-encoding')).toBe('gzip');
	const geo = await fetch(`${baseURL}/geo/regencies/35.geo.json`, {
		headers: { 'accept-encoding': 'br, gzip' }
	});
	expect(geo.status).toBe(200);
	expect(geo.headers.get('content-encoding')).toMatch(/^(br|gzip)$/);
	expect(geo.headers.get('cache-control')).toBe('public, max-age=86400');
	// A province's own regencies, not the country's.
	expect(Number(geo.headers.get('content-length'))).toBeLessThan(40_000);
});
