/**
 * Running it for real: health checks, metrics behind a token, request ids, and a SIGTERM in the
 * middle of a load that loses nothing and leaves no error for phones that retry.
 */
import { randomUUID } from 'node:crypto';
import { tempDir } from '../fixtures/temp';
import http from 'node:http';
import net from 'node:net';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { expect, test } from '@playwright/test';
import { E2E_METRICS_TOKEN } from '../config/playwright.config';
import { io } from 'socket.io-client';
import { apiToken, bulkTokens } from '../fixtures/cli';
import { startServer } from '../fixtures/server';
import { rows } from '../../src/lib/server/platform/db/client';
import { openConfiguredDatabase } from '../../src/lib/server/platform/db/configured';

test('health, readiness and metrics answer a load balancer and Prometheus', async ({ request }) => {
	const health = await request.get('/healthz');
	expect(health.status()).toBe(200);
	expect(await health.text()).toBe('ok\n');
	const ready = await request.get('/readyz');
	expect(ready.status()).toBe(200);
	expect(await ready.text()).toBe('ready\n');
	expect(ready.headers()['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
	const traced = await request.get('/healthz', { headers: { 'x-request-id': 'lb-check-42' } });
	expect(traced.headers()['x-request-id']).toBe('lb-check-42');

	expect((await request.get('/metrics')).status()).toBe(401);
	const metrics = await request.get('/metrics', {
		headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` }
	});
	expect(metrics.status()).toBe(200);
	const text = await metrics.text();
	for (const series of [
		'pantau_ingest_responses_total',
		'pantau_http_requests_total{route="/healthz",status="200"}',
		'pantau_ingest_queue_items',
		'pantau_socketio_connections',
		'pantau_nodejs_eventloop_lag_seconds',
		'pantau_process_resident_memory_bytes'
	]) {
		expect(text).toContain(series);
	}
});

/**
 * Connections that would hold a stop open: an upgrade request never finished, a websocket whose
 * client never speaks (nor answers the close), and an idle keep-alive HTTP connection.
 */
async function idleClients(port: number): Promise<() => void> {
	const half = net.connect(port, '127.0.0.1');
	half.write(
		`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\n`
	);
	const ws = net.connect(port, '127.0.0.1');
	ws.write(
		`GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n` +
			'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
			'Sec-WebSocket-Version: 13\r\n\r\n'
	);
	await new Promise((resolve) => ws.once('data', resolve));
	const agent = new http.Agent({ keepAlive: true });
	await new Promise((resolve) =>
		http.get({ host: '127.0.0.1', port, path: '/healthz', agent }, (res) => {
			res.resume();
			res.on('end', resolve);
		})
	);
	for (const socket of [half, ws]) socket.on('error', () => {});
	return () => {
		half.destroy();
		ws.destroy();
		agent.destroy();
	};
}

test('SIGTERM during load, with idle raw clients: the server stops within 10 s, nothing acknowledged is lost, retries succeed', async () => {
	test.setTimeout(180_000);
	const PORT = 4189;
	const work = tempDir('pantau-term-');
	const env = { DATA_DIR: path.join(work, 'data'), DATABASE_URL: '' };
	const start = () =>
		startServer(PORT, {
			...env,
			SEED_PROVINCES: '75',
			DEMO: '0',
			HEARTBEAT_RATE_PER_MINUTE: '100000'
		});
	try {
		let server = await start();
		const phones = bulkTokens('7502', env).slice(0, 12);
		// A program watching the numbers, to see the restart in the protocol.
		const watcher = apiToken(env);
		const epochOf = async () => {
			const socket = io(`http://127.0.0.1:${PORT}`, {
				path: '/socket.io',
				transports: ['websocket'],
				auth: { token: watcher },
				reconnection: false
			});
			const answer = await socket.emitWithAck('subscribe', { regions: ['75'] });
			socket.close();
			return answer.epoch as string;
		};
		const epochBefore = await epochOf();
		const acknowledged = new Set<string>();
		const failures: string[] = [];
		let running = true;
		let restarted = false;
		const phone = async ([tps, token]: string[]) => {
			for (let round = 1; running; round++) {
				const items = Array.from({ length: 3 }, (_, k) => ({
					id: randomUUID(),
					tps,
					verified: round * 3 + k,
					recordedAt: new Date(Date.now() - 60_000 + k).toISOString()
				}));
				// Like the app: the same batch until it is acknowledged.
				for (;;) {
					try {
						const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/heartbeats`, {
							method: 'POST',
							headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
							body: JSON.stringify({ heartbeats: items })
						});
						if (response.status === 200) {
							for (const item of items) acknowledged.add(item.id);
							break;
						}
						if (response.status !== 503)
							failures.push(`${response.status} ${await response.text()}`);
					} catch {
						// Connection refused while the server is down: wait and retry.
					}
					if (!running) return;
					await new Promise((resolve) => setTimeout(resolve, 200));
				}
			}
		};
		const load = Promise.all(phones.map(phone));
		const closeIdle = await idleClients(PORT);
		await new Promise((resolve) => setTimeout(resolve, 2_000));
		const stopping = Date.now();
		server.kill('SIGTERM');
		const code = await new Promise((resolve) => server.once('exit', resolve));
		const stopSeconds = (Date.now() - stopping) / 1000;
		closeIdle();
		expect(code).toBe(0);
		expect(stopSeconds).toBeLessThan(10);
		server = await start();
		restarted = true;
		// Versions start again in a new process: the epoch tells clients so.
		expect(await epochOf()).not.toBe(epochBefore);
		await new Promise((resolve) => setTimeout(resolve, 1_500));
		running = false;
		await load;
		server.kill('SIGTERM');
		await new Promise((resolve) => server.once('exit', resolve));
		expect(restarted).toBe(true);
		expect(failures).toEqual([]);
		const database = await openConfiguredDatabase(env, () => {});
		const stored = new Set(
			(
				await rows<{ id: string }>(database.handle.db, sql`select id::text as id from heartbeats`)
			).map((r) => r.id)
		);
		await database.close();
		const lost = [...acknowledged].filter((id) => !stored.has(id));
		console.log(
			`[sigterm] acknowledged ${acknowledged.size}, lost ${lost.length}, stopped in ${stopSeconds.toFixed(1)} s`
		);
		expect(acknowledged.size).toBeGreaterThan(30);
		expect(lost).toEqual([]);
	} finally {
		rmSync(work, { recursive: true, force: true });
	}
});
