/**
 * `npm run bench:growth`: does ingestion cost grow with the country or with the evidence log?
 * The built server (`npm run build` first) on PostgreSQL, loaded by wrk (2 threads, 64
 * connections) with the same phones every time (every TPS of Kab. Tuban and Kota Surabaya,
 * 11,857), one heartbeat and then 100 per request:
 *
 * 1. on a database holding one province (Jawa Timur), and on one holding the nation;
 * 2. on the national one again after its log grew to 1, 20, 50 and 100 million stored heartbeats
 *    (generated rows in past days' partitions, loaded and indexed before they are attached, as a
 *    campaign's closed days would be), each time with a checkpoint and a freshly started server.
 *
 * Each load runs twice and the faster run counts (on a shared 2-core machine a run is more often
 * slowed by something else than sped up; both rates are printed). Prints per run the rate and
 * p99, the server's and PostgreSQL's CPU per heartbeat, and the size of the log (rows, heap,
 * indexes); then the ratios the ingestion issue asks for.
 *
 * Settings: BENCH_DATABASE_URL, BENCH_SECONDS (15), BENCH_STEPS (millions, "1,20,50,100"),
 * BENCH_SHORT=1 (5 s runs, steps 0.2 and 1: a few minutes), BENCH_KEEP=1.
 */
import { type ChildProcess } from 'node:child_process';
import { tempDir } from '../fixtures/temp';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { openDatabase, rows, type DatabaseHandle } from '../../src/lib/server/platform/db/client';
import { seed } from '../../src/lib/server/geography/seed';
import { logEntry, proveInclusion } from '../../src/lib/server/evidence/tree';
import {
	measured,
	rateOf,
	requireWrk,
	scratchDatabase,
	startBare,
	startServer,
	stopServer,
	growLog,
	logSize,
	tokensFile,
	wrk
} from './harness';

const short = process.env.BENCH_SHORT === '1';
const seconds = Number(process.env.BENCH_SECONDS ?? (short ? 5 : 15));
const steps = (process.env.BENCH_STEPS ?? (short ? '0.2,1' : '1,20,50,100'))
	.split(',')
	.map((m) => Math.round(Number(m) * 1_000_000));
/** Heartbeats a generated day holds (a national day: 820,161 phones, about four syncs each). */
const PER_DAY = short ? 200_000 : 3_300_000;
const PHONES = ['3523', '3578'];
const REAL_PORT = 3296;
const BARE_PORT = 3295;
const work = tempDir('pantau-bench-growth-');
const keep = process.env.BENCH_KEEP === '1';

interface Row {
	run: string;
	batch: number;
	rate: number;
	p99: number;
	nodeUs: number;
	pgUs: number;
	stored: number;
	heapMb: number;
	indexMb: number;
	tlogMb: number;
}
const results: Row[] = [];
const children: ChildProcess[] = [];

/** Runs single and batched loads against a freshly started server; adds both rows. */
async function measure(label: string, url: string, handle: DatabaseHandle, file: string) {
	await handle.db.execute(sql`checkpoint`);
	const server = await startServer(REAL_PORT, url, children);
	wrk(REAL_PORT, file, 1, { duration: 5 });
	for (const batch of [1, 100]) {
		await handle.db.execute(sql`analyze heartbeats`);
		// Two runs, the faster kept: on a shared 2-core machine a run is more often slowed by
		// something else than sped up.
		const runs = [0, 1].map(() =>
			measured(server, () => wrk(REAL_PORT, file, batch, { duration: seconds }))
		);
		const { result, nodeCpu, postgresCpu } = runs.reduce((a, b) =>
			rateOf(b.result, batch) > rateOf(a.result, batch) ? b : a
		);
		const rates = runs.map((r) => Math.round(rateOf(r.result, batch)));
		const rate = rateOf(result, batch);
		const heartbeats = rate * result.seconds;
		results.push({
			run: label,
			batch,
			rate,
			p99: result.p99,
			nodeUs: (nodeCpu / heartbeats) * 1e6,
			pgUs: (postgresCpu / heartbeats) * 1e6,
			...(await logSize(handle.db))
		});
		const last = results.at(-1)!;
		console.log(
			`[bench] ${label}, ${batch} per request: ${rates.join(' and ')} heartbeats/s, p99 ${result.p99.toFixed(1)} ms, node ${last.nodeUs.toFixed(0)} µs and PostgreSQL ${last.pgUs.toFixed(0)} µs per heartbeat`
		);
	}
	await stopServer(server);
}

/**
 * A receipt's work on the grown log (its id looked up, its inclusion path read from tiles against
 * the latest signed tree), for 200 heartbeats picked across the log, without HTTP.
 */
async function receiptTimes(db: DatabaseHandle['db'], stored: number) {
	const [{ size }] = await rows<{ size: string }>(db, sql`select tree_size as size from log_head`);
	const picked = await rows<{ id: string }>(
		db,
		sql`select id::text from heartbeat_log tablesample system (0.1) limit 200`
	);
	const times: number[] = [];
	for (const { id } of picked) {
		const started = performance.now();
		const entry = await logEntry(db, id);
		if (entry?.logIndex !== null && entry!.logIndex < Number(size))
			await proveInclusion(db, entry!.logIndex, Number(size));
		times.push(performance.now() - started);
	}
	times.sort((a, b) => a - b);
	const at = (q: number) => times[Math.min(times.length - 1, Math.floor(q * times.length))] ?? NaN;
	console.log(
		`[bench] receipts on a log of ${(stored / 1e6).toLocaleString('en')} million (tree ${Number(size).toLocaleString('en')}): p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms over ${times.length}`
	);
}

async function prepare(name: string, provinces: string[] | undefined) {
	const database = await scratchDatabase(name);
	const handle = await openDatabase({ databaseUrl: database.url });
	await handle.migrate();
	await seed(handle, { provinces });
	const codes = (
		await rows<{ code: string }>(
			handle.db,
			sql`select code from tps where left(code, 4) in (${sql.join(
				PHONES.map((p) => sql`${p}`),
				sql`, `
			)}) order by code`
		)
	).map((r) => r.code);
	const file = path.join(work, `${name}.txt`);
	await tokensFile(handle.db, codes, file);
	await handle.db.execute(sql`vacuum (analyze)`);
	console.log(`[bench] ${name}: ${codes.length} phones`);
	return { database, handle, file };
}

requireWrk();
const databases: { drop(keep: boolean): Promise<void> }[] = [];
try {
	const bare = await startBare(BARE_PORT, children);
	const province = await prepare(`pantau_bench_growth_35_${process.pid}`, ['35']);
	databases.push(province.database);
	const bareRates = [1, 100].map((batch) =>
		rateOf(wrk(BARE_PORT, province.file, batch, { duration: seconds }), batch)
	);
	bare.kill('SIGTERM');
	await measure('one province (Jawa Timur)', province.database.url, province.handle, province.file);
	await province.handle.close();

	const nation = await prepare(`pantau_bench_growth_id_${process.pid}`, undefined);
	databases.push(nation.database);
	await measure('the nation', nation.database.url, nation.handle, nation.file);
	for (const target of steps) {
		await growLog(nation.handle.db, target, PER_DAY);
		await receiptTimes(nation.handle.db, target);
		await measure(
			`the nation, ${(target / 1e6).toLocaleString('en')} million stored`,
			nation.database.url,
			nation.handle,
			nation.file
		);
	}
	await nation.handle.close();

	console.table(
		results.map((r) => ({
			run: r.run,
			'per request': r.batch,
			'heartbeats/s': Math.round(r.rate),
			'p99 ms': r.p99.toFixed(1),
			'node µs/hb': r.nodeUs.toFixed(0),
			'PostgreSQL µs/hb': r.pgUs.toFixed(0),
			'stored (millions)': (r.stored / 1e6).toFixed(1),
			'log heap MB': Math.round(r.heapMb),
			'log indexes MB': Math.round(r.indexMb),
			'transparency log MB': Math.round(r.tlogMb)
		}))
	);
	const rate = (run: string, batch: number) =>
		results.find((r) => r.run === run && r.batch === batch)!.rate;
	const first = `the nation, ${(steps[0] / 1e6).toLocaleString('en')} million stored`;
	const last = `the nation, ${(steps.at(-1)! / 1e6).toLocaleString('en')} million stored`;
	console.table([
		{
			ratio: 'single: nation / one province (>= 0.9)',
			value: (rate('the nation', 1) / rate('one province (Jawa Timur)', 1)).toFixed(2)
		},
		{
			ratio: `single: ${last} / ${first} (>= 0.9)`,
			value: (rate(last, 1) / rate(first, 1)).toFixed(2)
		},
		{
			ratio: `100 per request: ${last} / ${first} (>= 0.9)`,
			value: (rate(last, 100) / rate(first, 100)).toFixed(2)
		},
		{
			ratio: 'single: nation / bare node:http (>= 0.40)',
			value: (rate('the nation', 1) / bareRates[0]).toFixed(2)
		},
		{ ratio: 'bare node:http, 1 per request (req/s)', value: Math.round(bareRates[0]) },
		{ ratio: 'bare node:http, 100 per request (heartbeats/s)', value: Math.round(bareRates[1]) }
	]);
} finally {
	for (const child of children) child.kill('SIGTERM');
	await new Promise((r) => setTimeout(r, 1500));
	for (const database of databases) await database.drop(keep);
}
