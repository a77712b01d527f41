/**
 * `npm run build && npm run test:faults`: faults injected on one machine against real PostgreSQL,
 * with the field simulator as load (its phones retry the same batch until acknowledged). Each
 * scenario ends by checking that every heartbeat answered 200 is stored exactly once and that the
 * live roll-ups equal a full recount. Prints a table and exits 1 if anything was lost.
 *
 * The PostgreSQL is the suite's own: an embedded one (the binaries the server runs by default) in a
 * temporary folder, reached through DATABASE_URL like any server, so restarting it disturbs nothing
 * else on the machine and the suite can run beside the browser tests. FAULTS_DATABASE_URL names a
 * server instead (a local cluster that `pg_ctlcluster` restarts in scenario 2).
 *
 * 1. the server is killed with SIGKILL mid-load and restarted;
 * 2. PostgreSQL is restarted mid-load (the server answers 503 with Retry-After meanwhile);
 * 3. two server processes ingest at once for the same regency (Redis between them);
 * 4. the same batch is sent 3 times at once;
 * 5. a slow client (1 byte a second) and 500 idle connections while phones sync;
 * 6. 10,000 malformed requests to every public endpoint and to form actions: each answered 4xx with
 *    a message, the server stays up, nothing is written, memory back near its baseline;
 * 7. 2,000 malformed socket messages (nested, huge, wrong types, raw packets): each request with a
 *    callback answered or its connection closed, the server stays up, no number moves.
 */
import { execFileSync, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, rmSync } from 'node:fs';
import { fuzz, fuzzSocket } from './fuzz';
import net from 'node:net';
import { sql } from 'drizzle-orm';
import { simulatedTarget } from '../../src/lib/domain/simulated';
import { openDatabase, rows, type DatabaseHandle } from '../../src/lib/server/platform/db/client';
import {
	startEmbeddedPostgres,
	type EmbeddedPostgres
} from '../../src/lib/server/platform/db/embedded';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { seed } from '../../src/lib/server/geography/seed';
import { Simulator, type DeviceToken } from '../../src/simulator/run';
import { freshTotals } from '../fixtures/recount';
import { loginCookie, startServer } from '../fixtures/server';
import { tempDir } from '../fixtures/temp';

const givenUrl = process.env.FAULTS_DATABASE_URL;
/** Without FAULTS_DATABASE_URL: the suite's own embedded PostgreSQL, in a folder it removes. */
const ownFolder = givenUrl ? null : tempDir('pantau-faults-');
let own: EmbeddedPostgres | null = ownFolder ? await startEmbeddedPostgres(ownFolder) : null;
const serverUrl = givenUrl ?? own!.url;

/** Restarts the PostgreSQL the servers use (fast shutdown, then start). */
async function restartPostgres() {
	if (own && ownFolder) {
		await own.stop();
		own = await startEmbeddedPostgres(ownFolder);
		return;
	}
	const version = readdirSync('/etc/postgresql')[0];
	execFileSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'restart']);
}
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const PORTS = [4281, 4282];
const METRICS_TOKEN = 'faults-metrics-token-0123';
/** FAULTS_ONLY=2,6 runs some scenarios (while working on them); CI runs all. */
const only = process.env.FAULTS_ONLY?.split(',');
const suiteStarted = performance.now();
const elapsed = () => `${((performance.now() - suiteStarted) / 1000).toFixed(0)} s`;
const runs = (n: string) => {
	const chosen = !only || only.includes(n);
	if (chosen) console.log(`[faults] scenario ${n} from ${elapsed()}`);
	return chosen;
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Outcome {
	scenario: string;
	sent: number;
	answered200: number;
	stored: number;
	lost: number;
	duplicatesStored: number;
	recovery: string;
	notes: string;
}
const results: Outcome[] = [];
const failures: string[] = [];

const adminHandle = await openDatabase({ databaseUrl: serverUrl, poolSize: 1 });
const admin = adminHandle.sql;
const dbName = `pantau_faults_${process.pid}`;
await admin.unsafe(`create database ${dbName}`);
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const databaseUrl = url.toString();
const servers: ChildProcess[] = [];

function start(port: number, extra: Record<string, string> = {}) {
	return startServer(port, {
		DATABASE_URL: databaseUrl,
		DATA_DIR: '/tmp',
		DEMO: '1',
		HEARTBEAT_RATE_PER_MINUTE: '100000',
		LOG_REQUESTS: 'off',
		METRICS_TOKEN,
		// Lets GET /metrics?gc=1 collect garbage before reporting the heap (scenario 6).
		NODE_OPTIONS: '--expose-gc',
		...extra
	}).then((child) => {
		servers.push(child);
		return child;
	});
}

async function stop(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM') {
	if (child.exitCode !== null || child.signalCode !== null) return;
	child.kill(signal);
	await new Promise((resolve) => child.once('exit', resolve));
}

/** Resolves once the server on `port` has no request queued and has answered nothing new for 1 s. */
async function settled(port: number) {
	const read = async () => {
		const text = await (
			await fetch(`http://127.0.0.1:${port}/metrics`, {
				headers: { authorization: `Bearer ${METRICS_TOKEN}` }
			})
		).text();
		const sum = (pattern: RegExp) =>
			[...text.matchAll(pattern)].reduce((total, m) => total + Number(m[1]), 0);
		return {
			queued: sum(/^pantau_ingest_queue_items (\d+)/gm),
			answered: sum(/^pantau_ingest_responses_total\{[^}]*\} (\d+)/gm)
		};
	};
	let last = await read();
	for (let waited = 0; waited < 30_000; waited += 1_000) {
		await sleep(1_000);
		const now = await read();
		if (now.queued === 0 && now.answered === last.answered) return;
		last = now;
	}
	failures.push(`the server on ${port} was still busy 30 s after its load stopped`);
}

/** Acknowledged ids against the heartbeat table, and the live roll-ups against a recount. */
async function verify(
	handle: DatabaseHandle,
	scenario: string,
	acknowledged: Set<string>,
	sim: Simulator[],
	recovery: string,
	notes: string,
	ports: number[]
) {
	const ids = [...acknowledged];
	let stored = 0;
	for (let i = 0; i < ids.length; i += 20_000) {
		const [{ n }] = await rows<{ n: number }>(
			handle.db,
			sql`select count(*)::int as n from heartbeats
				where id in (select json_array_elements_text(${JSON.stringify(ids.slice(i, i + 20_000))}::json)::uuid)`
		);
		stored += n;
	}
	// Requests the simulator gave up on may still be queued in a server (waiting for the database
	// to come back): the recount is taken once every server has answered all it received.
	for (const port of ports) await settled(port);
	const [{ dupes }] = await rows<{ dupes: number }>(
		handle.db,
		sql`select (count(*) - count(distinct id))::int as dupes from heartbeats`
	);
	const fresh = await freshTotals(handle.db);
	for (const port of ports) {
		const base = `http://127.0.0.1:${port}`;
		const cookie = await loginCookie(base, 'admin@demo.pantau.id', 'coklit-demo-2029');
		for (const code of ['id', '75']) {
			const live = (await (
				await fetch(`${base}/api/v1/regions/${code}`, { headers: { cookie } })
			).json()) as {
				code: string;
				verified: number;
				tpsSynced: number;
				children: { code: string; verified: number; tpsSynced: number }[];
			};
			for (const r of [live, ...live.children]) {
				const f = fresh.get(r.code);
				if (f && (f.verified !== r.verified || f.tpsSynced !== r.tpsSynced))
					failures.push(
						`${scenario}: ${base} shows ${r.code} ${r.verified}/${r.tpsSynced}, recount ${f.verified}/${f.tpsSynced}`
					);
			}
		}
	}
	const sent = sim.reduce((sum, s) => sum + s.stats.heartbeatsSent, 0);

	const outcome = {
		scenario,
		sent,
		answered200: acknowledged.size,
		stored,
		lost: acknowledged.size - stored,
		duplicatesStored: dupes,
		recovery,
		notes
	};
	results.push(outcome);
	if (outcome.lost !== 0)
		failures.push(`${scenario}: ${outcome.lost} acknowledged heartbeats lost`);
	if (dupes !== 0) failures.push(`${scenario}: ${dupes} duplicate rows`);
	if (acknowledged.size === 0) failures.push(`${scenario}: nothing was acknowledged (no load?)`);
}

function load(port: number, tokens: DeviceToken[], acknowledged: Set<string>) {
	return new Simulator({
		url: `http://127.0.0.1:${port}`,
		tokens,
		rate: 300,
		batch: 5,
		concurrency: 16,
		reportEveryMs: 60_000,
		log: () => {},
		onAcknowledged: (ids) => ids.forEach((id) => acknowledged.add(id))
	});
}

/** Seconds from `since` until the simulator next gets a 200. */
async function firstSuccessAfter(sim: Simulator, since: number): Promise<number> {
	const before = sim.stats.statuses[200] ?? 0;
	for (;;) {
		if ((sim.stats.statuses[200] ?? 0) > before) return (Date.now() - since) / 1000;
		if (Date.now() - since > 60_000) {
			failures.push(
				`no request succeeded within 60 s of the fault (${sim.stats.statuses[503] ?? 0} answers 503)`
			);
			return NaN;
		}
		await sleep(50);
	}
}

try {
	let handle = await openDatabase({ databaseUrl });
	await handle.migrate();
	await seed(handle, { provinces: ['75'] });
	const codes = (
		await rows<{ code: string }>(
			handle.db,
			sql`select code from tps where code like '7501%' order by code limit 400`
		)
	).map((r) => r.code);
	const issued = await issueDeviceTokens(handle.db, codes);
	const tokens: DeviceToken[] = issued.map((t) => ({
		tps: t.tpsCode,
		token: t.token,
		target: simulatedTarget(t.tpsCode)
	}));

	// 1. SIGKILL mid-load.
	if (runs('1')) {
		const acknowledged = new Set<string>();
		let server = await start(PORTS[0]);
		const sim = load(PORTS[0], tokens, acknowledged);
		await sim.start();
		await sleep(3_000);
		const killed = Date.now();
		await stop(server, 'SIGKILL');
		server = await start(PORTS[0]);
		const recovery = await firstSuccessAfter(sim, killed);
		await sleep(2_000);
		await sim.stop();
		await verify(
			handle,
			'1. SIGKILL and restart',
			acknowledged,
			[sim],
			`${recovery.toFixed(1)} s`,
			'',
			[PORTS[0]]
		);
		await stop(server);
	}

	// 2. PostgreSQL restarted mid-load.
	if (runs('2')) {
		const acknowledged = new Set<string>();
		const server = await start(PORTS[0]);
		const sim = load(PORTS[0], tokens, acknowledged);
		await sim.start();
		await sleep(3_000);
		const restarted = Date.now();
		await restartPostgres();
		const recovery = await firstSuccessAfter(sim, restarted);
		await sleep(3_000);
		await sim.stop();
		const refused = sim.stats.statuses[503] ?? 0;
		await handle.close();
		const reopened = await openDatabase({ databaseUrl });
		await verify(
			reopened,
			'2. PostgreSQL restart',
			acknowledged,
			[sim],
			`${recovery.toFixed(1)} s`,
			`${refused} answers 503 + Retry-After, ${sim.stats.networkErrors} network errors, all retried`,
			[PORTS[0]]
		);
		await stop(server);
		handle = reopened;
	}

	// 3. Two processes ingesting for the same regency.
	if (runs('3')) {
		const acknowledged = new Set<string>();
		const a = await start(PORTS[0], { REDIS_URL: redisUrl });
		const b = await start(PORTS[1], { REDIS_URL: redisUrl });
		const simA = load(PORTS[0], tokens.slice(0, 200), acknowledged);
		const simB = load(PORTS[1], tokens.slice(200), acknowledged);
		await Promise.all([simA.start(), simB.start()]);
		await sleep(6_000);
		await Promise.all([simA.stop(), simB.stop()]);
		await sleep(1_000);
		await verify(
			handle,
			'3. two processes, one regency',
			acknowledged,
			[simA, simB],
			'–',
			'both match the recount',
			PORTS
		);
		await stop(a);
		await stop(b);
	}

	// 4. The same batch three times at once.
	if (runs('4')) {
		const server = await start(PORTS[0]);
		const acknowledged = new Set<string>();
		let sent = 0;
		let ok = 0;
		let duplicates = 0;
		for (const t of tokens.slice(0, 100)) {
			const body = JSON.stringify({
				heartbeats: Array.from({ length: 5 }, (_, k) => ({
					id: randomUUID(),
					tps: t.tps,
					verified: 200 + k,
					recordedAt: new Date(Date.now() - 1_000 + k).toISOString()
				}))
			});
			const answers = await Promise.all(
				[0, 1, 2].map(() =>
					fetch(`http://127.0.0.1:${PORTS[0]}/api/v1/heartbeats`, {
						method: 'POST',
						headers: { 'content-type': 'application/json', authorization: `Bearer ${t.token}` },
						body
					})
				)
			);
			for (const answer of answers) {
				sent += 5;
				if (answer.status !== 200) continue;
				ok += 1;
				const result = (await answer.json()) as { duplicates: number };
				duplicates += result.duplicates;
				for (const h of (JSON.parse(body) as { heartbeats: { id: string }[] }).heartbeats)
					acknowledged.add(h.id);
			}
		}
		const fakeSim = {
			stats: { heartbeatsSent: sent, statuses: { 200: ok } }
		} as unknown as Simulator;
		await verify(
			handle,
			'4. same batch ×3 at once',
			acknowledged,
			[fakeSim],
			'–',
			`${duplicates} counted as duplicates`,
			[PORTS[0]]
		);
		if (duplicates !== 1_000)
			failures.push(`4: expected 1000 duplicates (2 of 3 sends × 500), got ${duplicates}`);
		await stop(server);
	}

	// 5. A slow client and 500 idle connections.
	if (runs('5')) {
		const server = await start(PORTS[0]);
		const idle: net.Socket[] = [];
		for (let i = 0; i < 500; i++) idle.push(net.connect(PORTS[0], '127.0.0.1'));
		const slow = net.connect(PORTS[0], '127.0.0.1');
		const request = `POST /api/v1/heartbeats HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`;
		let written = 0;
		const dribble = setInterval(() => slow.write(request[written++ % request.length]), 1_000);
		const acknowledged = new Set<string>();
		const sim = load(PORTS[0], tokens, acknowledged);
		await sim.start();
		await sleep(6_000);
		await sim.stop();
		clearInterval(dribble);
		const summary = sim.stats.summary();
		for (const socket of [...idle, slow]) socket.destroy();
		await verify(
			handle,
			'5. slow client + 500 idle',
			acknowledged,
			[sim],
			'–',
			`others served: p50 ${summary.latencyMs.p50} ms, p99 ${summary.latencyMs.p99} ms`,
			[PORTS[0]]
		);
		await stop(server);
	}
	// 6. Fuzz: malformed requests everywhere.
	if (runs('6')) {
		const server = await start(PORTS[0]);
		const base = `http://127.0.0.1:${PORTS[0]}`;
		const cookie = await loginCookie(base, 'admin@demo.pantau.id', 'coklit-demo-2029');
		const written = async () =>
			(
				await rows<{ state: string }>(
					handle.db,
					sql`select concat_ws('|', (select count(*) from heartbeats), (select count(*) from users),
						(select count(*) from followups), (select count(*) from curve_overrides),
						(select sum(target) from tps), (select string_agg(name || phone, ',' order by id) from pantarlih
						where tps_code like '7501%'), (select first_day::text || last_day::text || name from campaigns limit 1),
						(select count(*) from sessions)) as state`
				)
			)[0].state;
		const before = await written();
		// The heap in use (from /metrics) is what must come back; RSS keeps pages V8 has freed.
		const heap = async () => {
			const text = await (
				await fetch(`${base}/metrics?gc=1`, {
					headers: { authorization: `Bearer ${METRICS_TOKEN}` }
				})
			).text();
			return Number(/^pantau_nodejs_heap_size_used_bytes (\S+)$/m.exec(text)![1]) / 1024 / 1024;
		};
		const baseline = await heap();
		const outcome = await fuzz(base, cookie, tokens[0], 10_000);
		// Give the collector a few idle seconds, then take the smallest of three readings.
		await sleep(5_000);
		const readings: number[] = [];
		for (let k = 0; k < 3; k++) {
			readings.push(await heap());
			await sleep(1_000);
		}
		const after = Math.min(...readings);
		const alive = (await fetch(`${base}/healthz`)).status === 200;
		const unchanged = (await written()) === before;
		if (outcome.bad.length > 0)
			failures.push(
				`6: answers that were not 4xx with a message: ${outcome.bad.slice(0, 5).join('; ')}`
			);
		if (!alive) failures.push('6: the server is down after the fuzz');
		if (!unchanged) failures.push('6: something was written');
		if (after - baseline > 64)
			failures.push(`6: heap in use grew from ${baseline.toFixed(0)} to ${after.toFixed(0)} MB`);
		results.push({
			scenario: '6. fuzz (malformed requests)',
			sent: outcome.sent,
			answered200: 0,
			stored: 0,
			lost: 0,
			duplicatesStored: 0,
			recovery: '–',
			notes: `${outcome.sent} requests: ${Object.entries(outcome.statuses)
				.map(([k, v]) => `${v}×${k}`)
				.join(
					' '
				)}; nothing written: ${unchanged}; heap in use ${baseline.toFixed(0)} → ${after.toFixed(0)} MB`
		});
		await stop(server);
	}
	// 7. Fuzz: the socket protocol.
	if (runs('7')) {
		const server = await start(PORTS[0]);
		const base = `http://127.0.0.1:${PORTS[0]}`;
		const cookie = await loginCookie(base, 'admin@demo.pantau.id', 'coklit-demo-2029');
		const numbers = async () =>
			(await fetch(`${base}/api/v1/regions/75`, { headers: { cookie } })).text();
		const before = JSON.parse(await numbers());
		const outcome = await fuzzSocket(base, cookie, 2_000);
		const alive = (await fetch(`${base}/healthz`)).status === 200;
		const after = JSON.parse(await numbers());
		const unchanged = after.verified === before.verified && after.version === before.version;
		if (outcome.bad.length > 0)
			failures.push(`7: socket requests without an answer: ${outcome.bad.slice(0, 5).join('; ')}`);
		if (!alive) failures.push('7: the server is down after the socket fuzz');
		if (!unchanged) failures.push('7: the socket fuzz changed numbers');
		results.push({
			scenario: '7. fuzz (socket messages)',
			sent: outcome.sent,
			answered200: 0,
			stored: 0,
			lost: 0,
			duplicatesStored: 0,
			recovery: '–',
			notes: `${outcome.sent} messages: ${Object.entries(outcome.statuses)
				.map(([k, v]) => `${v}× ${k}`)
				.join(', ')}; server up: ${alive}; nothing changed: ${unchanged}`
		});
		await stop(server);
	}
	await handle.close();
} catch (error) {
	failures.push(`the suite itself failed: ${(error as Error).stack ?? error}`);
} finally {
	for (const child of servers) await stop(child, 'SIGKILL').catch(() => {});
	await admin.unsafe(`drop database if exists ${dbName} with (force)`).catch(() => {});
	await adminHandle.close().catch(() => {});
	await own?.stop();
	if (ownFolder) rmSync(ownFolder, { recursive: true, force: true });
}

const header = [
	'scenario',
	'sent',
	'acknowledged',
	'stored (of acknowledged)',
	'lost',
	'duplicates stored',
	'recovery',
	'notes'
];
const table = results.map((r) => [
	r.scenario,
	String(r.sent),
	String(r.answered200),
	String(r.stored),
	String(r.lost),
	String(r.duplicatesStored),
	r.recovery,
	r.notes
]);
const widths = header.map((h, i) => Math.max(h.length, ...table.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(
	`\ntest:faults (PostgreSQL, province 75, simulator load 300 heartbeats/s in batches of 5)\n`
);
console.log(line(header));
for (const row of table) console.log(line(row));
if (failures.length > 0) {
	console.error(`\nFAILED:\n  ${failures.join('\n  ')}`);
	process.exit(1);
}
console.log('\nall scenarios: nothing acknowledged was lost, nothing stored twice, roll-ups exact');
process.exit(0);
