/**
 * `npm run bench:ingest`: the real server (built; `npm run build` first) on a fresh PostgreSQL
 * database with the national seed, against a bare node:http server that parses the same JSON,
 * both loaded by wrk (2 threads, 64 keep-alive connections, distinct device tokens and TPS).
 * Prints heartbeats/s, p50/p99 latency and the ratio to the bare server, then the burst after an
 * outage: one heartbeat for every TPS from 1,000 connections, with the server's peak RSS.
 * Ends by checking that every roll-up equals a full recount.
 *
 * Settings: BENCH_DATABASE_URL (server to create the scratch database on), BENCH_SECONDS (15),
 * BENCH_PROVINCES (all), BENCH_SKIP_BURST=1, BENCH_KEEP=1 (keep the database for a closer look),
 * BENCH_SERVER_NODE_OPTIONS (NODE_OPTIONS for the server alone).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../../src/lib/server/db/client';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { seed } from '../../src/lib/server/seed';
import { checkpointTotals, rollupMismatches } from '../fixtures/recount';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const provinces = process.env.BENCH_PROVINCES?.split(',');
const REAL_PORT = 3298;
const BARE_PORT = 3299;
const work = mkdtempSync(path.join(tmpdir(), 'pantau-bench-ingest-'));
const script = path.resolve('tests/bench/heartbeats.lua');
const epoch = Math.floor(Date.now() / 1000) - 60 - 40;

if (spawnSync('wrk', ['--version']).error) {
	console.error('wrk is missing: apt-get install -y wrk');
	process.exit(1);
}

function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
	return new Promise((resolve, reject) => {
		let output = '';
		const onData = (chunk: Buffer) => {
			output += chunk;
			if (pattern.test(output)) resolve();
		};
		child.stdout?.on('data', onData);
		child.stderr?.on('data', (chunk) => (output += chunk));
		child.on('exit', (code) => reject(new Error(`exited with ${code}:\n${output}`)));
	});
}

interface WrkResult {
	requests: number;
	seconds: number;
	non2xx: number;
	socketErrors: number;
	p50: number;
	p99: number;
}

function wrk(
	port: number,
	tokensFile: string,
	batch: number,
	options: { connections?: number; once?: boolean; duration?: number } = {}
): WrkResult {
	const run = spawnSync(
		'wrk',
		[
			'-t2',
			`-c${options.connections ?? 64}`,
			`-d${options.duration ?? seconds}s`,
			'--timeout',
			'30s',
			'-s',
			script,
			`http://127.0.0.1:${port}`
		],
		{
			env: {
				...process.env,
				TOKENS_FILE: tokensFile,
				BATCH: String(batch),
				THREADS: '2',
				// Counts start near 10 voters per TPS and grow one every 4 s (heartbeats.lua).
				EPOCH: String(epoch),
				ONCE: options.once ? '1' : '0'
			},
			encoding: 'utf8',
			maxBuffer: 16 * 1024 * 1024
		}
	);
	const line = /RESULT (.*)/.exec(run.stdout)?.[1];
	if (!line) throw new Error(`wrk failed:\n${run.stdout}\n${run.stderr}`);
	const v: Record<string, number> = Object.fromEntries(
		line.split(' ').map((pair) => {
			const [key, value] = pair.split('=');
			return [key, Number(value)];
		})
	);
	return {
		requests: v.requests,
		seconds: v.duration_us / 1e6,
		non2xx: v.non2xx,
		socketErrors: v.socket_errors,
		p50: v.p50_us / 1000,
		p99: v.p99_us / 1000
	};
}

function peakRss(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = `pantau_bench_ingest_${process.pid}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
const children: ChildProcess[] = [];
try {
	console.log(`[bench] seeding ${provinces?.join(',') ?? 'the nation'} into ${name}`);
	const handle = await openDatabase({ databaseUrl: url.toString() });
	await handle.migrate();
	await seed(handle, { provinces });
	const targets = new Map(
		(
			await rows<{ code: string; target: number }>(
				handle.db,
				sql`select code, target from tps order by code`
			)
		).map((r) => [r.code, r.target])
	);
	const codes = [...targets.keys()];
	console.log(`[bench] issuing ${codes.length} device tokens`);
	const lines: string[] = [];
	for (let i = 0; i < codes.length; i += 50_000) {
		for (const t of await issueDeviceTokens(handle.db, codes.slice(i, i + 50_000)))
			lines.push(`${t.token} ${t.tpsCode} ${targets.get(t.tpsCode)}`);
	}
	// A freshly loaded database would otherwise be vacuumed and analysed by autovacuum during the
	// runs (2.5 million new rows), as a database in service long since was.
	console.log('[bench] vacuum analyze');
	await handle.db.execute(sql`vacuum (analyze)`);
	// Steady runs use 20,000 phones spread over the country; the burst uses every TPS once.
	const shuffled = lines
		.map((l, i) => [l, (i * 7919) % lines.length] as const)
		.sort((a, b) => a[1] - b[1])
		.map(([l]) => l);
	const steadyFile = path.join(work, 'steady.txt');
	const allFile = path.join(work, 'all.txt');
	writeFileSync(steadyFile, shuffled.slice(0, 20_000).join('\n') + '\n');
	writeFileSync(allFile, shuffled.join('\n') + '\n');

	const bare = spawn(process.execPath, ['tests/bench/bare-server.mjs'], {
		env: { ...process.env, PORT: String(BARE_PORT) }
	});
	children.push(bare);
	await waitFor(bare, /bare server/);
	const real = spawn(process.execPath, ['src/server/main.js'], {
		env: {
			...process.env,
			PORT: String(REAL_PORT),
			HOST: '127.0.0.1',
			DATABASE_URL: url.toString(),
			TOKEN_CACHE_MS: '600000',
			HEARTBEAT_RATE_PER_MINUTE: '100000',
			// e.g. --max-old-space-size=700: how the server's heap cap bounds its RSS in the burst.
			NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? ''
		}
	});
	children.push(real);
	await waitFor(real, /is running at/);

	const table: Record<string, string | number>[] = [];
	const row = (label: string, r: WrkResult, batch: number, bareRate?: number) => {
		const rate = ((r.requests - r.non2xx) * batch) / r.seconds;
		table.push({
			run: label,
			'heartbeats/s': Math.round(rate),
			'requests/s': Math.round(r.requests / r.seconds),
			'p50 ms': r.p50.toFixed(1),
			'p99 ms': r.p99.toFixed(1),
			'non-2xx': r.non2xx,
			'vs bare': bareRate ? (rate / bareRate).toFixed(2) : '1.00'
		});
		return rate;
	};
	console.log('[bench] warming the token cache');
	wrk(REAL_PORT, steadyFile, 1, { duration: 5 });
	const bare1 = row('bare node:http, 1 per request', wrk(BARE_PORT, steadyFile, 1), 1);
	row('server, 1 heartbeat per request', wrk(REAL_PORT, steadyFile, 1), 1, bare1);
	const bare100 = row('bare node:http, 100 per request', wrk(BARE_PORT, steadyFile, 100), 100);
	row('server, 100 heartbeats per request', wrk(REAL_PORT, steadyFile, 100), 100, bare100);
	console.table(table);

	if (process.env.BENCH_SKIP_BURST !== '1') {
		console.log(`[bench] burst: ${lines.length} heartbeats, one per TPS, from 1,000 connections`);
		const burst = wrk(REAL_PORT, allFile, 1, { connections: 1000, once: true, duration: 300 });
		console.table([
			{
				heartbeats: burst.requests,
				'answered 200': burst.requests - burst.non2xx,
				'non-2xx (429/503)': burst.non2xx,
				seconds: burst.seconds.toFixed(1),
				'p99 ms': burst.p99.toFixed(0),
				'server peak RSS MB': Math.round(peakRss(real.pid!))
			}
		]);
	}
	// A clean stop writes the live roll-ups into region_progress: compare them with a recount.
	real.kill('SIGTERM');
	await new Promise((resolve) => real.once('exit', resolve));
	const stored = await checkpointTotals(handle.db);
	const mismatches = await rollupMismatches(handle.db, stored);
	console.log(
		`[bench] roll-ups vs full recount: ${mismatches.length === 0 ? 'exact' : `${mismatches.length} regions differ`}`
	);
	await handle.close();
} finally {
	for (const child of children) child.kill('SIGTERM');
	await new Promise((r) => setTimeout(r, 1500));
	if (process.env.BENCH_KEEP === '1')
		console.log(`[bench] kept database ${name}; tokens in ${work}`);
	else await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.end();
}
