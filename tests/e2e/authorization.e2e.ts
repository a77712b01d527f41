/**
 * The authorization matrix: every role (and nobody) against every page, API route and form
 * action found in src/routes, in scope and out of scope. A route added without an expectation
 * here fails the suite, so nothing ships unchecked.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { ACCOUNTS, client, type RoleName } from './accounts';

const ROUTES = path.resolve('src/routes');

function discover(dir = ROUTES): { route: string; kind: 'page' | 'endpoint'; file: string }[] {
	const found: { route: string; kind: 'page' | 'endpoint'; file: string }[] = [];
	for (const name of readdirSync(dir)) {
		const full = path.join(dir, name);
		if (statSync(full).isDirectory()) found.push(...discover(full));
		const route = '/' + path.relative(ROUTES, dir).split(path.sep).filter(Boolean).join('/');
		if (name === '+page.svelte' || name === '+page.server.ts')
			found.push({ route, kind: 'page', file: full });
		if (name === '+server.ts') found.push({ route, kind: 'endpoint', file: full });
	}
	return found.filter(
		(r, i, all) => all.findIndex((o) => o.route === r.route && o.kind === r.kind) === i
	);
}

type Who = RoleName | 'nobody';
const WHO: Who[] = ['nobody', 'admin', 'leader', 'coordinator', 'observer'];
/** `in` / `out`: a [code] filled with a region inside or outside the viewer's scope. */
type Expect = (who: Who, where: 'in' | 'out') => number;

const signedIn = (who: Who, status: number) => (who === 'nobody' ? 303 : status);
const byScope = (who: Who, where: 'in' | 'out') =>
	who === 'nobody' ? 303 : where === 'in' ? 200 : 403;
const apiByScope = (who: Who, where: 'in' | 'out') =>
	who === 'nobody' ? 401 : where === 'in' ? 200 : 403;
const listByScope = (who: Who, where: 'in' | 'out') =>
	who === 'nobody' ? 303 : where === 'out' ? 403 : ACCOUNTS[who].scope.length >= 4 ? 200 : 400;
const managers = (who: Who) => signedIn(who, who === 'admin' || who === 'leader' ? 200 : 403);

const EXPECTED: Record<string, Expect> = {
	'page /': (who) => signedIn(who, 303),
	'page /login': (who) => (who === 'nobody' ? 200 : 303),
	'page /logout': (who) => signedIn(who, 303),
	'page /wilayah/[code]': byScope,
	'page /admin/users': managers,
	'page /audit': (who) => signedIn(who, who === 'admin' || who === 'observer' ? 200 : 403),
	'page /admin/campaign': (who) => signedIn(who, who === 'admin' ? 200 : 403),
	'page /admin/import': (who) => signedIn(who, who === 'observer' ? 403 : 200),
	// Alerts: every signed-in role, filtered to its own scope.
	'page /peringatan': (who) => signedIn(who, 200),
	// What the evidence is and how to recompute it: every signed-in role.
	'page /bukti': (who) => signedIn(who, 200),
	'endpoint /wilayah/[code]/csv': byScope,
	// The rakor report, for every role in its scope; the download needs ?format=pdf|xlsx.
	'page /wilayah/[code]/laporan': byScope,
	'endpoint /wilayah/[code]/laporan/unduh': (who, where) =>
		who === 'nobody' ? 303 : where === 'in' ? 400 : 403,
	// The follow-up list exists from regency level down: 400 for the nation and provinces.
	'page /wilayah/[code]/pantarlih': listByScope,
	'endpoint /wilayah/[code]/pantarlih/unduh': listByScope,
	'endpoint /api/v1/regions/[code]': apiByScope,
	// A TPS: its page and read API, for everyone whose scope holds it.
	'page /wilayah/[code=tps]': byScope,
	'endpoint /api/v1/tps/[code]': apiByScope,
	'endpoint /api/v1/tps/[code]/heartbeats': apiByScope,
	// A region's heartbeats of a day: NDJSON from district level down (the scopes here are the
	// nation, a province and a regency, so in scope the default format is refused with 400).
	'endpoint /api/v1/regions/[code]/heartbeats': (who, where) =>
		who === 'nobody' ? 401 : where === 'in' ? 400 : 403,
	// The phones' endpoint takes device tokens, not sessions: a GET is refused for everyone.
	'endpoint /api/v1/heartbeats': () => 405,
	// The server's time and the campaign dates are public: phones check their clock against it.
	'endpoint /api/v1/clock': () => 200,
	// The transparency log: public sizes and hashes (no sizes given: 400; the literal "[...path]" is
	// no tile path, so not public: 401, and 400 for who is signed in), cosignatures only by POST, a receipt for an id nobody may see: 404 for all
	// (transparency-log.test.ts checks who gets one).
	'endpoint /api/v1/log/checkpoint': () => 200,
	'endpoint /api/v1/log/key': () => 200,
	'endpoint /api/v1/log/days': () => 400,
	'endpoint /api/v1/log/consistency': () => 400,
	'endpoint /api/v1/log/tile/[...path]': (who) => (who === 'nobody' ? 401 : 400),
	'endpoint /api/v1/log/cosignatures': () => 405,
	'endpoint /api/v1/heartbeats/[id]/receipt': () => 404,
	// The account's own pages: factors, sessions, API tokens, re-authentication.
	'page /akun': (who) => signedIn(who, 200),
	'page /akun/sesi': (who) => signedIn(who, 200),
	'page /akun/token': (who) => signedIn(who, 200),
	'page /akun/konfirmasi': (who) => signedIn(who, 200),
	// The steps after a password: nobody is sent to sign in, a signed-in account on its way.
	'page /masuk/kode': () => 303,
	'page /masuk/faktor': (who) => signedIn(who, 200),
	// The language switch takes a form POST only.
	'endpoint /bahasa': () => 405
};

const codeFor = (who: Who, where: 'in' | 'out') => {
	if (who === 'nobody') return '35';
	const account = ACCOUNTS[who];
	return where === 'in' ? account.scope : (account.outside ?? 'id');
};

/** A real TPS inside the scope (Pacitan, Jawa Timur) or outside it (the scope's neighbour). */
const TPS_OUTSIDE: Record<string, string> = { '31': '3171011001001', '3502': '3502012001001' };
const tpsFor = (who: Who, where: 'in' | 'out') =>
	who === 'nobody' || where === 'in'
		? '3501012001001'
		: (TPS_OUTSIDE[ACCOUNTS[who].outside ?? ''] ?? '3171011001001');

/** The route with its code filled in: a TPS code where the route is a TPS's. */
const fill = (route: string, who: Who, where: 'in' | 'out') =>
	route.includes('[code=tps]') || route.startsWith('/api/v1/tps/')
		? route.replace(/\[code(=tps)?\]/, tpsFor(who, where))
		: route.replace('[code]', codeFor(who, where));

const routes = discover();

test('every route in src/routes has an expectation', () => {
	const missing = routes.map((r) => `${r.kind} ${r.route}`).filter((key) => !(key in EXPECTED));
	expect(missing).toEqual([]);
});

for (const who of WHO) {
	test(`matrix for ${who}`, async ({ baseURL }) => {
		const api = await client(baseURL!, who === 'nobody' ? undefined : who);
		const results: string[] = [];
		for (const { route, kind } of routes) {
			const expectation = EXPECTED[`${kind} ${route}`];
			const wheres: ('in' | 'out')[] =
				route.includes('[code') && who !== 'admin' && who !== 'nobody' ? ['in', 'out'] : ['in'];
			for (const where of wheres) {
				const url = fill(route, who, where);
				const status = (await api.get(url)).status();
				const want = expectation(who, where);
				if (status !== want) results.push(`${who} GET ${url}: ${status}, expected ${want}`);
			}
		}
		expect(results).toEqual([]);
		await api.dispose();
	});
}

function formActions(file: string): string[] {
	const text = readFileSync(file, 'utf8');
	const block = /export const actions[^{]*\{([\s\S]*)\};\s*$/m.exec(text)?.[1] ?? '';
	return [...block.matchAll(/^\t(\w+):/gm)].map((m) => m[1]);
}

test('observers, coordinators and nobody get no form action that changes accounts', async ({
	baseURL
}) => {
	// Admin pages, except the import, which regency coordinators use for their own TPS (its
	// observer refusal is tested below).
	const pages = routes.filter(
		(r) =>
			r.kind === 'page' &&
			r.file.endsWith('+page.server.ts') &&
			r.route.startsWith('/admin') &&
			r.route !== '/admin/import'
	);
	expect(pages.length).toBeGreaterThan(0);
	const refused: string[] = [];
	for (const who of ['nobody', 'observer', 'coordinator'] as const) {
		const api = await client(baseURL!, who === 'nobody' ? undefined : who);
		for (const { route, file } of pages) {
			for (const action of formActions(file)) {
				const response = await api.post(`${route}?/${action}`, {
					form: {
						email: 'admin@demo.pantau.id',
						role: 'admin',
						scope: 'id',
						password: 'x'.repeat(12),
						disabled: '1'
					},
					headers: { accept: 'application/json' }
				});
				const body = await response.text();
				// Refused outright, or sent to the login page (also as SvelteKit's JSON redirect).
				const blocked =
					response.status() === 403 ||
					/"status":403/.test(body) ||
					/"type":"redirect","status":303,"location":"\/login/.test(body);
				if (!blocked)
					refused.push(`${who} ${route}?/${action}: ${response.status()} ${body.slice(0, 120)}`);
			}
		}
		await api.dispose();
	}
	expect(refused).toEqual([]);
	// The account those posts aimed at is untouched: still enabled, same password.
	const admin = await client(baseURL!, 'admin');
	expect((await admin.get('/wilayah/id')).status()).toBe(200);
	await admin.dispose();
});

test('a read-only API token sees its scope over HTTP and nothing else', async ({ baseURL }) => {
	const { execFileSync } = await import('node:child_process');
	const { e2eDataDir } = await import('../config/playwright.config');
	const output = execFileSync(
		'node_modules/.bin/tsx',
		['src/lib/server/cli/main.ts', 'apitoken:issue', '--email', 'bawaslu@demo.pantau.id'],
		{
			env: { ...process.env, DATA_DIR: e2eDataDir, DATABASE_URL: '' },
			encoding: 'utf8'
		}
	);
	const token = output.trim().split('\n').at(-1)!;
	expect(token).toMatch(/^pca_/);
	const api = await client(baseURL!);
	const auth = { authorization: `Bearer ${token}` };
	const inScope = await api.get('/api/v1/regions/35', { headers: auth });
	expect(inScope.status()).toBe(200);
	const body = await inScope.json();
	expect(body).toMatchObject({ code: '35', level: 'province', name: 'JAWA TIMUR' });
	expect(body.children).toHaveLength(38);
	expect((await api.get('/api/v1/regions/31', { headers: auth })).status()).toBe(403);
	expect((await api.get('/api/v1/regions/3171', { headers: auth })).status()).toBe(403);
	expect((await api.get('/api/v1/regions/3599', { headers: auth })).status()).toBe(404);
	expect(
		(
			await api.get('/api/v1/regions/9999', { headers: { authorization: 'Bearer pca_nope' } })
		).status()
	).toBe(401);
	await api.dispose();
});

test('a leader creates coordinators inside their province only; the audit log shows it', async ({
	baseURL
}) => {
	const leader = await client(baseURL!, 'leader');
	const create = (email: string, scope: string) =>
		leader.post('/admin/users?/create', {
			form: { email, name: 'Uji', password: 'sandi-uji-12345', role: 'coordinator', scope },
			headers: { accept: 'application/json' }
		});
	const inside = await (await create('koordinator.tuban@example.id', '3523')).json();
	expect(inside).toMatchObject({ type: 'success' });
	const outside = await (await create('koordinator.jaksel@example.id', '3171')).json();
	expect(outside).toMatchObject({ type: 'failure', status: 403 });
	await leader.dispose();

	// An admin's download of another province's table is filed under that province.
	const admin = await client(baseURL!, 'admin');
	expect((await admin.get('/wilayah/31/csv')).status()).toBe(200);
	expect(await (await admin.get('/audit')).text()).toContain('wilayah 31');
	await admin.dispose();

	const observer = await client(baseURL!, 'observer');
	const audit = await (await observer.get('/audit')).text();
	// The observer of Jawa Timur reads Jawa Timur's entries only.
	expect(audit).not.toContain('wilayah 31');
	expect(audit).toContain('user.create');
	expect(audit).toContain('koordinator.tuban@example.id');
	expect(audit).not.toContain('koordinator.jaksel@example.id');
	expect(audit).toContain('login.success');
	await observer.dispose();
});
