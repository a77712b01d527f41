/**
 * Live push against the built server: who may connect and subscribe, what each socket receives,
 * and a page that moves when a phone syncs.
 */
import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { io, type Socket } from 'socket.io-client';
import { e2eDataDir } from '../config/playwright.config';
import { bulkTokens } from '../fixtures/cli';
import { client, loginPage, type RoleName } from './accounts';

let tokens: Map<string, string>;
test.beforeAll(() => {
	// Device tokens for two neighbouring regencies of Jawa Timur, through the running server.
	const env = { DATA_DIR: e2eDataDir, DATABASE_URL: '' };
	tokens = new Map([...bulkTokens('3501', env), ...bulkTokens('3502', env)]);
});

const firstTps = (regency: string) => [...tokens.keys()].find((code) => code.startsWith(regency))!;

async function sync(baseURL: string, tps: string, verified: number) {
	const response = await fetch(`${baseURL}/api/v1/heartbeats`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens.get(tps)}` },
		body: JSON.stringify({
			heartbeats: [{ id: randomUUID(), tps, verified, recordedAt: new Date().toISOString() }]
		})
	});
	expect(response.status).toBe(200);
}

async function socketFor(baseURL: string, role?: RoleName): Promise<Socket> {
	let cookie = '';
	if (role) {
		const api = await client(baseURL, role);
		const state = await api.storageState();
		cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
		await api.dispose();
	}
	return io(baseURL, {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders: { cookie },
		reconnection: false
	});
}

test('without a session or API token the connection is refused with a reason', async ({
	baseURL
}) => {
	const socket = await socketFor(baseURL!);
	const error = await new Promise<Error>((resolve) => socket.on('connect_error', resolve));
	expect(error.message).toMatch(/unauthorized: log in/);
	socket.close();
});

test('a coordinator subscribes to their regency only, and never receives a neighbour’s numbers', async ({
	baseURL
}) => {
	const socket = await socketFor(baseURL!, 'coordinator');
	const answer = await socket.emitWithAck('subscribe', { regions: ['3501', '3502', '35', '9999'] });
	expect(answer.snapshots.map((s: { region: { code: string } }) => s.region.code)).toEqual([
		'3501'
	]);
	expect(answer.errors).toEqual([
		{ code: '3502', error: 'region 3502 is outside your scope' },
		{ code: '35', error: 'region 35 is outside your scope' },
		{ code: '9999', error: 'unknown region 9999' }
	]);
	const received: { code: string; verified: number; version: number }[] = [];
	socket.on('progress', (regions) => received.push(...regions));
	await sync(baseURL!, firstTps('3502'), 17);
	await sync(baseURL!, firstTps('3501'), 23);
	await expect.poll(() => received.some((r) => r.code === '3501'), { timeout: 5_000 }).toBe(true);
	await new Promise((resolve) => setTimeout(resolve, 800));
	const codes = [...new Set(received.map((r) => r.code))];
	expect(codes.every((code) => code === '3501' || /^3501\d\d$/.test(code))).toBe(true);
	// The pushed totals equal a fresh read over HTTP.
	const latest = received.filter((r) => r.code === '3501').at(-1)!;
	const api = await client(baseURL!, 'coordinator');
	const fresh = await (
		await api.get('/api/v1/regions/3501', { headers: { accept: 'application/json' } })
	).json();
	expect(latest).toMatchObject({
		verified: fresh.verified,
		version: fresh.version,
		tpsSynced: fresh.tpsSynced
	});
	await api.dispose();
	socket.close();
});

test('updates are coalesced: a burst of syncs arrives as few messages, each region once per message', async ({
	baseURL
}) => {
	const socket = await socketFor(baseURL!, 'admin');
	await socket.emitWithAck('subscribe', { regions: ['id'] });
	const messages: { code: string }[][] = [];
	socket.on('progress', (regions) => messages.push(regions));
	const started = Date.now();
	for (let i = 1; i <= 10; i++) await sync(baseURL!, firstTps('3501'), 30 + i);
	await expect.poll(() => messages.length, { timeout: 5_000 }).toBeGreaterThan(0);
	await new Promise((resolve) => setTimeout(resolve, 700));
	const windows = Math.ceil((Date.now() - started) / 500) + 1;
	expect(messages.length).toBeLessThanOrEqual(windows);
	for (const message of messages)
		expect(new Set(message.map((r) => r.code)).size).toBe(message.length);
	expect(messages.flat().some((r) => r.code === '35')).toBe(true);
	socket.close();
});

test('an observer socket can emit anything and change nothing', async ({ baseURL }) => {
	const api = await client(baseURL!, 'observer');
	const before = await (await api.get('/api/v1/regions/35')).json();
	const socket = await socketFor(baseURL!, 'observer');
	await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
	for (const event of ['heartbeats', 'ingest', 'progress', 'acknowledge', 'user:add']) {
		socket.emit(event, { regions: ['35'], tps: firstTps('3501'), verified: 300 });
	}
	socket.emit('subscribe', 'not an object');
	await new Promise((resolve) => setTimeout(resolve, 600));
	const after = await (await api.get('/api/v1/regions/35')).json();
	expect(after.verified).toBe(before.verified);
	expect(socket.connected).toBe(true);
	socket.close();
	await api.dispose();
});

test('the regency page moves when a phone syncs, without a reload', async ({ page, baseURL }) => {
	await loginPage(page, 'coordinator');
	await expect(page.getByTestId('live-status')).toHaveText('● langsung');
	const before = await page.getByTestId('verified').textContent();
	await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42));
	await sync(baseURL!, firstTps('3501'), 120);
	await expect(page.getByTestId('verified')).not.toHaveText(before!, { timeout: 5_000 });
	// Same document: the marker set before the sync is still there.
	expect(await page.evaluate(() => (window as unknown as { marker: number }).marker)).toBe(42);
	await page.screenshot({ path: 'test-results/screens/regency-live.png', fullPage: true });
});

test('hostile socket messages get an error answer, change nothing, and the server keeps serving', async ({
	baseURL
}) => {
	const socket = await socketFor(baseURL!, 'observer');
	await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
	// Nested a few thousand arrays deep (about 10 KB): this once stopped the whole process.
	let deep: unknown = '35';
	for (let i = 0; i < 4_000; i++) deep = [deep];
	const nested = await socket.emitWithAck('subscribe', { regions: deep });
	expect(nested).toMatchObject({ snapshots: [], error: expect.stringMatching(/^regions/) });
	expect(await socket.emitWithAck('unsubscribe', { regions: deep })).toMatchObject({
		ok: false,
		error: expect.stringMatching(/^regions/)
	});
	expect((await socket.emitWithAck('subscribe', { regions: '35' })).error).toMatch(
		/must be a list of region codes/
	);
	expect((await socket.emitWithAck('subscribe', null)).error).toMatch(/^request/);
	const tooMany = Array.from({ length: 51 }, (_, i) => `35${String(i).padStart(2, '0')}`);
	expect((await socket.emitWithAck('subscribe', { regions: tooMany })).error).toMatch(
		/at most 50 regions/
	);
	expect((await socket.emitWithAck('subscribe', { regions: ['35'], extra: 1 })).error).toMatch(
		/unknown field extra/
	);
	const twice = await socket.emitWithAck('subscribe', { regions: ['35', '35'] });
	expect(twice.snapshots.map((s: { region: { code: string } }) => s.region.code)).toEqual(['35']);
	// Without a callback to answer through, the refusal comes as an event.
	const refused = new Promise((resolve) => socket.once('refused', resolve));
	socket.emit('subscribe', { regions: 42 });
	expect(await refused).toMatchObject({ event: 'subscribe', error: expect.stringMatching(/list/) });
	// A message over the protocol's 16 KiB closes that connection only.
	const big = await socketFor(baseURL!, 'observer');
	await new Promise<void>((resolve) => big.on('connect', () => resolve()));
	const closed = new Promise((resolve) => big.on('disconnect', resolve));
	big.emit('subscribe', { regions: ['x'.repeat(20_000)] });
	expect(await closed).toBeTruthy();
	// Still serving, this socket included.
	expect((await fetch(`${baseURL}/healthz`)).status).toBe(200);
	const fine = await socket.emitWithAck('subscribe', { regions: ['3501'] });
	expect(fine.snapshots[0].region.code).toBe('3501');
	socket.close();
});

test('a page of another origin cannot open the live socket; programs without an Origin can', async ({
	baseURL
}) => {
	const api = await client(baseURL!, 'admin');
	const cookie = (await api.storageState()).cookies.map((c) => `${c.name}=${c.value}`).join('; ');
	await api.dispose();
	const handshake = (origin?: string) =>
		fetch(`${baseURL}/socket.io/?EIO=4&transport=polling`, {
			headers: { cookie, ...(origin ? { origin } : {}) }
		});
	const foreign = await handshake('http://localhost:9999');
	expect(foreign.status).toBe(403);
	expect((await foreign.json()).message).toBe(
		'origin http://localhost:9999 is not allowed to open the live socket'
	);
	expect((await handshake(baseURL)).status).toBe(200);
	expect((await handshake()).status).toBe(200);
	const hijack = io(baseURL!, {
		path: '/socket.io',
		transports: ['websocket'],
		extraHeaders: { cookie, origin: 'http://localhost:9999' },
		reconnection: false
	});
	await new Promise((resolve) => hijack.on('connect_error', resolve));
	expect(hijack.connected).toBe(false);
	hijack.close();
});

test('a lone change goes out at once, not at the end of the window', async ({ baseURL }) => {
	const socket = await socketFor(baseURL!, 'coordinator');
	await socket.emitWithAck('subscribe', { regions: ['3501'] });
	const delays: number[] = [];
	for (let i = 0; i < 3; i++) {
		// A quiet window first.
		await new Promise((resolve) => setTimeout(resolve, 700));
		const arrived = new Promise<number>((resolve) =>
			socket.once('progress', () => resolve(Date.now()))
		);
		await sync(baseURL!, firstTps('3501'), 200 + i);
		const answered = Date.now();
		delays.push((await arrived) - answered);
	}
	delays.sort((a, b) => a - b);
	// The window is 500 ms; before, every lone change waited for its end.
	expect(delays[1]).toBeLessThan(300);
	socket.close();
});

test('a busy window does not make the browser client subscribe again', async ({
	page,
	baseURL
}) => {
	const subscribes: string[] = [];
	page.on('websocket', (ws) =>
		ws.on('framesent', (frame) => {
			if (String(frame.payload).includes('"subscribe"')) subscribes.push(String(frame.payload));
		})
	);
	await loginPage(page, 'coordinator');
	await expect(page.getByTestId('live-status')).toHaveText('● langsung');
	await expect.poll(() => subscribes.length).toBeGreaterThan(0);
	const before = subscribes.length;
	const shown = await page.getByTestId('verified').textContent();
	// Twenty commits one after another, inside one or two windows: the region's version moves by
	// many in one message, which is coalescing, not a missed change.
	for (const tps of [...tokens.keys()].slice(0, 20)) await sync(baseURL!, tps, 99);
	await expect(page.getByTestId('verified')).not.toHaveText(shown!, { timeout: 5_000 });
	await new Promise((resolve) => setTimeout(resolve, 1_200));
	expect(subscribes.length).toBe(before);
});
