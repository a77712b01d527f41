/**
 * Two server processes behind "one address" (two ports, one PostgreSQL, one Redis) act as one:
 * a heartbeat accepted by A reaches a viewer connected to B; with both ingesting at once for the
 * same regency their roll-ups equal a full recount from the database; a curve edited on A applies
 * on B; a phone re-enrolled on A is refused on B at once; an import checked on A is confirmed on
 * B; failed logins counted on A lock the account on B.
 */
import type { ChildProcess } from 'node:child_process';
import { bulkTokens } from '../fixtures/cli';
import { loginCookie, startServer as start } from '../fixtures/server';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { expect, test } from '@playwright/test';
import { io } from 'socket.io-client';
import { ACCOUNTS, PASSWORD } from './accounts';

const serverUrl = process.env.TEST_DATABASE_URL;
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
test.skip(
	!serverUrl,
	'needs TEST_DATABASE_URL (a PostgreSQL server): the embedded one belongs to one process'
);

const sessionCookie = (base: string) => loginCookie(base, ACCOUNTS.admin.email, PASSWORD);

test('two processes on one PostgreSQL act as one', async () => {
	test.setTimeout(180_000);
	const admin = postgres(serverUrl!, { max: 1, onnotice: () => {} });
	const name = `pantau_scale_${process.pid}`;
	await admin.unsafe(`create database ${name}`);
	const url = new URL(serverUrl!);
	url.pathname = `/${name}`;
	const env = {
		DATABASE_URL: url.toString(),
		REDIS_URL: redisUrl,
		SEED_PROVINCES: '75',
		DEMO: '1',
		HEARTBEAT_RATE_PER_MINUTE: '100000',
		ALERT_INTERVAL_MS: '1000',
		// Long enough that only the shared revocation, not the cache running out, can refuse a token.
		TOKEN_CACHE_MS: '600000'
	};
	const children: ChildProcess[] = [];
	try {
		children.push(await start(4191, env));
		children.push(await start(4192, env));
		const [A, B] = ['http://127.0.0.1:4191', 'http://127.0.0.1:4192'];
		const phones = bulkTokens('7501', env);

		const socket = io(B, {
			path: '/socket.io',
			transports: ['websocket'],
			extraHeaders: { cookie: await sessionCookie(B) }
		});
		await socket.emitWithAck('subscribe', { regions: ['7501'] });
		const seenOnB: { code: string; verified: number }[] = [];
		socket.on('progress', (regions) => seenOnB.push(...regions));

		const sync = (base: string, [tps, token]: string[], verified: number) =>
			fetch(`${base}/api/v1/heartbeats`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
				body: JSON.stringify({
					heartbeats: [{ id: randomUUID(), tps, verified, recordedAt: new Date().toISOString() }]
				})
			}).then((r) => expect(r.status).toBe(200));

		// A sync accepted by A reaches the viewer connected to B.
		await sync(A, phones[0], 77);
		await expect
			.poll(() => seenOnB.some((r) => r.code === '7501' && r.verified >= 77), { timeout: 5_000 })
			.toBe(true);

		// Both ingest at once for the same regency, phones split between them.
		await Promise.all(
			phones.slice(0, 40).map(async (phone, i) => {
				for (let round = 1; round <= 10; round++)
					await sync(i % 2 ? A : B, phone, round * 7 + (i % 5));
			})
		);
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		const direct = postgres(url.toString(), { max: 1, onnotice: () => {} });
		const [fresh] = (await direct.unsafe(
			`select sum(verified)::int as verified, count(recorded_at)::int as synced from tps where code like '7501%'`
		)) as unknown as { verified: number; synced: number }[];
		await direct.end();
		for (const base of [A, B]) {
			const regency = await fetch(`${base}/api/v1/regions/7501`, {
				headers: { cookie: await sessionCookie(base) }
			}).then((r) => r.json());
			expect(regency, base).toMatchObject({ verified: fresh.verified, tpsSynced: fresh.synced });
		}
		socket.close();

		// A curve edited through A applies on B within an interval: day 1 is due at 50% by the end
		// of the day (the tile shows what is due by now, with the day's end beside it).
		const edit = await fetch(`${A}/admin/campaign?/override`, {
			method: 'POST',
			redirect: 'manual',
			headers: {
				origin: A,
				cookie: await sessionCookie(A),
				'content-type': 'application/x-www-form-urlencoded'
			},
			body: new URLSearchParams({ code: '7501', points: '1=50' })
		});
		expect(edit.status).toBe(200);
		const cookieB = await sessionCookie(B);
		const todayOnB = async () =>
			/data-testid="today-target-end"[^>]*>([^<]*)</.exec(
				await (await fetch(`${B}/wilayah/7501`, { headers: { cookie: cookieB } })).text()
			)?.[1];
		await expect.poll(todayOnB, { timeout: 10_000 }).toBe('50,0%');

		// State that must be one across processes.
		const form = (base: string, path: string, cookie: string, body: URLSearchParams | FormData) =>
			fetch(`${base}${path}`, {
				method: 'POST',
				redirect: 'manual',
				headers: {
					origin: base,
					cookie,
					accept: 'application/json',
					'x-sveltekit-action': 'true',
					...(body instanceof URLSearchParams
						? { 'content-type': 'application/x-www-form-urlencoded' }
						: {})
				},
				body
			});
		const adminA = await sessionCookie(A);
		const adminB = await sessionCookie(B);

		// A phone enrolled again through A: its old token stops working on B at once.
		const [tps, oldToken] = phones[50];
		await sync(B, [tps, oldToken], 5);
		const enrol = await form(
			A,
			'/wilayah/7501/pantarlih?/enrol',
			adminA,
			new URLSearchParams({ tps })
		);
		expect(await enrol.text()).toContain('"type":"success"');
		const refused = await fetch(`${B}/api/v1/heartbeats`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${oldToken}` },
			body: JSON.stringify({
				heartbeats: [{ id: randomUUID(), tps, verified: 6, recordedAt: new Date().toISOString() }]
			})
		});
		expect(refused.status).toBe(401);

		// An import checked on A is confirmed on B.
		const file = new FormData();
		file.append('file', new Blob([`kode_tps,target\n${phones[60][0]},211\n`]), 'target.csv');
		const preview = await (await form(A, '/admin/import?/preview', adminA, file)).text();
		const id = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/.exec(preview)?.[0];
		expect(id, preview).toBeDefined();
		const applied = await form(B, '/admin/import?/apply', adminB, new URLSearchParams({ id: id! }));
		expect(await applied.text()).toContain('"type":"success"');
		const direct2 = postgres(url.toString(), { max: 1, onnotice: () => {} });
		const [{ target }] = (await direct2.unsafe(
			`select target from tps where code = '${phones[60][0]}'`
		)) as unknown as { target: number }[];
		await direct2.end();
		expect(target).toBe(211);

		// Failed logins counted on A refuse the next try on B (a new account: the lock is real).
		const email = `terkunci.${Date.now()}@example.id`;
		const created = await form(
			A,
			'/admin/users?/create',
			adminA,
			new URLSearchParams({
				email,
				name: 'Uji',
				password: 'kata-sandi-uji-1',
				role: 'observer',
				scope: '75'
			})
		);
		expect(await created.text()).toContain('"type":"success"');
		const attempt = async (base: string, password: string) =>
			JSON.parse(
				await (await form(base, '/login', '', new URLSearchParams({ email, password }))).text()
			) as { type: string; status: number; data: string };
		for (let i = 0; i < 5; i++)
			expect(await attempt(A, `salah-${i}-sekali`)).toMatchObject({ type: 'failure', status: 400 });
		const locked = await attempt(B, 'kata-sandi-uji-1');
		expect(locked).toMatchObject({ type: 'failure', status: 429 });
		expect(locked.data).toContain('Terlalu banyak percobaan masuk');
	} finally {
		for (const child of children) child.kill('SIGTERM');
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		await admin.unsafe(`drop database if exists ${name} with (force)`);
		await admin.end();
	}
});
