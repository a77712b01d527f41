/**
 * `npm run bench:live`: the real server (built) on a fresh PostgreSQL database (Jawa Timur by
 * default, BENCH_PROVINCES), 1,000 socket.io viewers in this process subscribed across the
 * province and its regencies, and a steady 3,000 heartbeats/s through the HTTP API (batches of
 * 10). A probe phone in a regency no other phone touches syncs every 200 ms; every viewer records
 * when the probe's new count reaches it, against the moment the probe's 200 (its commit) came
 * back. Prints commit-to-receipt latency p50/p95/p99, events/s delivered, server CPU and RSS.
 */
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { io, type Socket } from 'socket.io-client';
import { openDatabase, rows } from '../../src/lib/server/platform/db/client';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { seed } from '../../src/lib/server/geography/seed';
import { loginCookie, startServer } from '../fixtures/server';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const province = process.env.BENCH_PROVINCES ?? '35';
const seconds = Number(process.env.BENCH_SECONDS ?? 120);
const viewers = Number(process.env.BENCH_VIEWERS ?? 1000);
const rate = Number(process.env.BENCH_RATE ?? 3000);
/** The second phase: this many viewers of the national room only (0 skips it). */
const national = Number(process.env.BENCH_NATIONAL_VIEWERS ?? 5000);
const nationalSeconds = Number(process.env.BENCH_NATIONAL_SECONDS ?? 30);
const nationalWorkers = Number(process.env.BENCH_NATIONAL_THREADS ?? 4);
const METRICS_TOKEN = 'bench-live-metrics-token';
const PORT = 3296;
const base = `http://127.0.0.1:${PORT}`;

const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
const cpuTicks = (pid: number) => {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return Number(fields[11]) + Number(fields[12]);
};
const rssMb = (pid: number) =>
	Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = `pantau_bench_live_${process.pid}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
let server: ChildProcess | undefined;
const sockets: Socket[] = [];
try {
	const handle = await openDatabase({ databaseUrl: url.toString() });
	await handle.migrate();
	await seed(handle, { provinces: [province] });
	const regencies = (
		await rows<{ code: string }>(
			handle.db,
			sql`select code from regions where level = 'regency' and code like ${province + '%'} order by code`
		)
	).map((r) => r.code);
	const probeRegency = regencies[0];
	const codes = (
		await rows<{ code: string }>(
			handle.db,
			sql`select code from tps where code like ${province + '%'} order by code`
		)
	).map((r) => r.code);
	const probeTps = codes.find((c) => c.startsWith(probeRegency))!;
	const loadCodes = codes
		.filter((c) => !c.startsWith(probeRegency))
		.filter((_, i) => i % 4 === 0)
		.slice(0, 20_000);
	const issued = await issueDeviceTokens(handle.db, [probeTps, ...loadCodes]);
	await handle.close();
	const probe = issued[0];
	const phones = issued.slice(1);

	server = await startServer(PORT, {
		DATABASE_URL: url.toString(),
		SEED_PROVINCES: province,
		DEMO: '1',
		HEARTBEAT_RATE_PER_MINUTE: '100000',
		TOKEN_CACHE_MS: '600000',
		LOG_REQUESTS: 'off',
		METRICS_TOKEN,
		// So that /metrics?gc=1 can report the heap still in use after a full collection.
		NODE_OPTIONS: '--expose-gc'
	});
	const heapMb = async () => {
		const text = await (
			await fetch(`${base}/metrics?gc=1`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })
		).text();
		return Number(/^pantau_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)![1]) / 1024 / 1024;
	};
	const cookie = await loginCookie(base, 'admin@demo.pantau.id', 'coklit-demo-2029');

	// Viewers: everyone watches the province (its regencies are children); some also a regency.
	const committedAt = new Map<number, number>();
	const latencies: number[] = [];
	let events = 0;
	for (let i = 0; i < viewers; i++) {
		const socket = io(base, {
			path: '/socket.io',
			transports: ['websocket'],
			extraHeaders: { cookie }
		});
		let seen = 0;
		socket.on('progress', (regions: { code: string; verified: number }[]) => {
			events += 1;
			const at = performance.now();
			const probed = regions.find((r) => r.code === probeRegency);
			if (!probed) return;
			for (let v = seen + 1; v <= probed.verified; v++) {
				const t = committedAt.get(v);
				if (t !== undefined) latencies.push(at - t);
			}
			seen = Math.max(seen, probed.verified);
		});
		sockets.push(socket);
	}
	await Promise.all(
		sockets.map((s, i) =>
			s.emitWithAck('subscribe', {
				regions: i % 10 === 0 ? [province, regencies[i % regencies.length]] : [province]
			})
		)
	);
	console.log(`[bench] ${viewers} viewers subscribed; ${rate} heartbeats/s for ${seconds} s`);

	const post = (token: string, tps: string, items: object[]) =>
		fetch(`${base}/api/v1/heartbeats`, {
			method: 'POST',
			headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
			body: JSON.stringify({ heartbeats: items })
		});
	const pid = server.pid!;
	const cpu0 = cpuTicks(pid);
	const rss: number[] = [rssMb(pid)];
	const heap: number[] = [await heapMb()];
	const started = performance.now();
	let sent = 0;
	let failed = 0;
	let probeCount = 0;
	let round = 0;
	// Paced by elapsed time (timer ticks slip under load): requests of 10 heartbeats.
	const load = setInterval(() => {
		const due = Math.floor(((performance.now() - started) / 1000) * (rate / 10));
		while (round < due) {
			const phone = phones[(round++ * 7919) % phones.length];
			const verified = Math.min(300, Math.floor(round / phones.length) + 1);
			const items = Array.from({ length: 10 }, (_, k) => ({
				id: randomUUID(),
				tps: phone.tpsCode,
				verified,
				recordedAt: new Date(Date.now() - 10_000 + k).toISOString()
			}));
			sent += 10;
			post(phone.token, phone.tpsCode, items).then(
				(r) => r.status !== 200 && (failed += 10),
				() => (failed += 10)
			);
		}
	}, 10);
	const probing = setInterval(() => {
		const v = ++probeCount;
		post(probe.token, probe.tpsCode, [
			{ id: randomUUID(), tps: probe.tpsCode, verified: v, recordedAt: new Date().toISOString() }
		]).then((r) => {
			if (r.status === 200) committedAt.set(v, performance.now());
		});
	}, 200);
	const sampling = setInterval(() => rss.push(rssMb(pid)), 10_000);
	await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
	clearInterval(load);
	clearInterval(probing);
	clearInterval(sampling);
	await new Promise((resolve) => setTimeout(resolve, 1500));
	const elapsed = (performance.now() - started) / 1000;
	const cpu = (cpuTicks(pid) - cpu0) / 100 / elapsed;
	rss.push(rssMb(pid));
	heap.push(await heapMb());
	const sorted = latencies.sort((a, b) => a - b);
	console.table([
		{
			viewers,
			'heartbeats/s sent': Math.round(sent / elapsed),
			failed,
			'latency p50 ms': Math.round(percentile(sorted, 50)),
			'p95 ms': Math.round(percentile(sorted, 95)),
			'p99 ms': Math.round(percentile(sorted, 99)),
			samples: sorted.length,
			'events/s delivered': Math.round(events / elapsed),
			'server CPU (cores)': cpu.toFixed(2),
			'RSS MB first → last': `${Math.round(rss[0])} → ${Math.round(rss.at(-1)!)}`,
			'heap after GC MB': `${Math.round(heap[0])} → ${Math.round(heap.at(-1)!)}`
		}
	]);
	console.log(`[bench] RSS every 10 s (MB): ${rss.map((m) => Math.round(m)).join(', ')}`);
	for (const socket of sockets) socket.close();
	sockets.length = 0;

	if (national > 0) {
		// Phase 2: viewers of the national room only, one progress message per window each.
		// Latency from the server's send time (the message's second argument) to receipt here.
		// In worker threads, so that receiving 5,000 messages a window is spread over the cores.
		const workers = Array.from(
			{ length: nationalWorkers },
			(_, w) =>
				new Worker(new URL('./live-viewers.mjs', import.meta.url), {
					workerData: {
						base,
						cookie,
						count: Math.floor(national / nationalWorkers) + (w < national % nationalWorkers ? 1 : 0)
					}
				})
		);
		await Promise.all(workers.map((w) => new Promise((resolve) => w.once('message', resolve))));
		for (const w of workers) w.postMessage('start');
		const nationalStarted = performance.now();
		const cpuStart = cpuTicks(pid);
		let nationalSent = 0;
		const steady = setInterval(() => {
			// 100 heartbeats/s is enough to change the nation in every window.
			const phone = phones[nationalSent++ % phones.length];
			void post(phone.token, phone.tpsCode, [
				{
					id: randomUUID(),
					tps: phone.tpsCode,
					verified: Math.min(300, 1 + Math.floor(nationalSent / phones.length) + 50),
					recordedAt: new Date().toISOString()
				}
			]);
		}, 10);
		await new Promise((resolve) => setTimeout(resolve, nationalSeconds * 1000));
		clearInterval(steady);
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const took = (performance.now() - nationalStarted) / 1000;
		const receipts = (
			await Promise.all(
				workers.map(
					(w) =>
						new Promise<number[]>((resolve) => {
							w.once('message', (m: { latencies: number[] }) => resolve(m.latencies));
							w.postMessage('stop');
						})
				)
			)
		)
			.flat()
			.sort((a, b) => a - b);
		console.table([
			{
				'national viewers': national,
				'viewer threads': nationalWorkers,
				'messages received': receipts.length,
				'messages/s': Math.round(receipts.length / took),
				'send→receipt p50 ms': Math.round(percentile(receipts, 50)),
				'p95 ms': Math.round(percentile(receipts, 95)),
				'p99 ms': Math.round(percentile(receipts, 99)),
				'server CPU (cores)': ((cpuTicks(pid) - cpuStart) / 100 / took).toFixed(2)
			}
		]);
	}
} finally {
	for (const socket of sockets) socket.close();
	server?.kill('SIGTERM');
	await new Promise((resolve) => setTimeout(resolve, 2000));
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.end();
}
