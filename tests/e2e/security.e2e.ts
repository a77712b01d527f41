import { expect, test } from '@playwright/test';
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
