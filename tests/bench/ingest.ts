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
import { type ChildProcess } from 'node:child_process';
import { tempDir } from '../fixtures/temp';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../../src/lib/server/platform/db/client';
import { seed } from '../../src/lib/server/geography/seed';
import { checkpointTotals, rollupMismatches } from '../fixtures/recount';
import {
	peakRss,
	rateOf,
	requireWrk,
	scratchDatabase,
	startBare,
	startServer,
	stopServer,
	tokensFile,
	wrk,
	type WrkResult
} from './harness';

const seconds = Number(process.env.BENCH_SECONDS ?? 15);
const provinces = process.env.BENCH_PROVINCES?.split(',');
const REAL_PORT = 3298;
const BARE_PORT = 3299;
const work = tempDir('pantau-bench-ingest-');

requireWrk();
const database = await scratchDatabase(`pantau_bench_ingest_${process.pid}`);
const children: ChildProcess[] = [];
try {
	console.log(`[bench] seeding ${provinces?.join(',') ?? 'the nation'}`);
	const handle = await openDatabase({ databaseUrl: database.url });
	await handle.migrate();
	await seed(handle, { provinces });
	const codes = (
		await rows<{ code: string }>(handle.db, sql`select code from tps order by code`)
	).map((r) => r.code);
	console.log(`[bench] issuing ${codes.length} device tokens`);
	// Steady runs use 20,000 phones spread over the country; the burst uses every TPS once.
	const allFile = path.join(work, 'all.txt');
	const lines = await tokensFile(handle.db, codes, allFile);
	const steadyFile = path.join(work, 'steady.txt');
	writeFileSync(steadyFile, lines.slice(0, 20_000).join('\n') + '\n');
	// A freshly loaded database would otherwise be vacuumed and analysed by autovacuum during the
	// runs (2.5 million new rows), as a database in service long since was.
	console.log('[bench] vacuum analyze');
	await handle.db.execute(sql`vacuum (analyze)`);

	await startBare(BARE_PORT, children);
	const real = await startServer(REAL_PORT, database.url, children);

	const table: Record<string, string | number>[] = [];
	const row = (label: string, r: WrkResult, batch: number, bareRate?: number) => {
		const rate = rateOf(r, batch);
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
	const run = (port: number, batch: number) => wrk(port, steadyFile, batch, { duration: seconds });
	const bare1 = row('bare node:http, 1 per request', run(BARE_PORT, 1), 1);
	row('server, 1 heartbeat per request', run(REAL_PORT, 1), 1, bare1);
	const bare100 = row('bare node:http, 100 per request', run(BARE_PORT, 100), 100);
	row('server, 100 heartbeats per request', run(REAL_PORT, 100), 100, bare100);
	console.table(table);

	if (process.env.BENCH_SKIP_BURST !== '1') {
		console.log(`[bench] burst: ${lines.length} heartbeats, one per TPS, from 1,000 connections`);
		const burst = wrk(REAL_PORT, allFile, 1, { connections: 1000, once: true, duration: 300 });
		console.table([
			{
				heartbeats: burst.requests,
				'answered 200': burst.requests - burst.non2xx,
				'non-2xx (429/503)': burst.non2xx,
				// wrk's own run is always its -d (300 s); the burst took from the first request to
				// the last answer.
				seconds: burst.span,
				'p99 ms': burst.p99.toFixed(0),
				'server peak RSS MB': Math.round(peakRss(real.pid!))
			}
		]);
	}
	// A clean stop writes the live roll-ups into region_progress: compare them with a recount.
	await stopServer(real);
	const stored = await checkpointTotals(handle.db);
	const mismatches = await rollupMismatches(handle.db, stored);
	console.log(
		`[bench] roll-ups vs full recount: ${mismatches.length === 0 ? 'exact' : `${mismatches.length} regions differ`}`
	);
	await handle.close();
} finally {
	for (const child of children) child.kill('SIGTERM');
	await new Promise((r) => setTimeout(r, 1500));
	if (process.env.BENCH_KEEP === '1') console.log(`[bench] tokens in ${work}`);
	await database.drop(process.env.BENCH_KEEP === '1');
}
