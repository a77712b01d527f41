/**
 * What the ingestion benchmarks share: wrk runs with the heartbeat script, the real server and the
 * bare node:http server as child processes, scratch databases, device-token files, and CPU
 * readings from /proc (the database must run on this machine for PostgreSQL's share).
 */
import { spawn, spawnSync, execSync, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import postgres from 'postgres';
import { integrate } from '../../src/lib/server/evidence/tree';
import { sql } from 'drizzle-orm';
import { addDays, localDate, ZONES } from '../../src/lib/domain/calendar';
import { rows, type Database } from '../../src/lib/server/platform/db/client';
import { partitionDays, partitionName } from '../../src/lib/server/evidence/partitions';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';

export const serverUrl =
	process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const script = path.resolve('tests/bench/heartbeats.lua');
/** Counts grow from here, one voter every 4 s (heartbeats.lua). */
export const epoch = Math.floor(Date.now() / 1000) - 100;

export function requireWrk(): void {
	if (spawnSync('wrk', ['--version']).error) {
		console.error('wrk is missing: apt-get install -y wrk');
		process.exit(1);
	}
}

export function waitFor(child: ChildProcess, pattern: RegExp): Promise<void> {
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

export interface WrkResult {
	requests: number;
	/** wrk's run: always the -d it was given. */
	seconds: number;
	/** From the first request to the last answer, to the second (what a ONCE run took). */
	span: number;
	non2xx: number;
	socketErrors: number;
	p50: number;
	p99: number;
}

/** wrk -t2 against `port` with the heartbeat script: `batch` heartbeats per request. */
export function wrk(
	port: number,
	tokensFile: string,
	batch: number,
	options: { connections?: number; once?: boolean; duration: number }
): WrkResult {
	const run = spawnSync(
		'wrk',
		[
			'-t2',
			`-c${options.connections ?? 64}`,
			`-d${options.duration}s`,
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
		span: v.span_s,
		non2xx: v.non2xx,
		socketErrors: v.socket_errors,
		p50: v.p50_us / 1000,
		p99: v.p99_us / 1000
	};
}

/** Heartbeats answered 200 per second. */
export const rateOf = (r: WrkResult, batch: number) =>
	((r.requests - r.non2xx) * batch) / r.seconds;

export function peakRss(pid: number): number {
	const status = readFileSync(`/proc/${pid}/status`, 'utf8');
	return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds (user + system) a process has used. */
export function cpuSeconds(pid: number): number {
	const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
	return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** CPU seconds of every postgres process on this machine. */
export function postgresCpuSeconds(): number {
	const ticks = execSync(
		`cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 ~ /postgres/ {s+=$14+$15} END {print s+0}'`,
		{ encoding: 'utf8', shell: '/bin/bash' }
	);
	return Number(ticks) / 100;
}

/** A wrk run with the server's and PostgreSQL's CPU over it. */
export function measured(
	server: ChildProcess,
	run: () => WrkResult
): { result: WrkResult; nodeCpu: number; postgresCpu: number } {
	const node0 = cpuSeconds(server.pid!);
	const pg0 = postgresCpuSeconds();
	const result = run();
	return {
		result,
		nodeCpu: cpuSeconds(server.pid!) - node0,
		postgresCpu: postgresCpuSeconds() - pg0
	};
}

/** The bare node:http server: the machine's ceiling for this request. */
export async function startBare(port: number, children: ChildProcess[]): Promise<ChildProcess> {
	const bare = spawn(process.execPath, ['tests/bench/bare-server.mjs'], {
		env: { ...process.env, PORT: String(port) }
	});
	children.push(bare);
	await waitFor(bare, /bare server/);
	return bare;
}

/** The built server (`npm run build` first) on `databaseUrl`, started as `npm start` starts it. */
export async function startServer(
	port: number,
	databaseUrl: string,
	children: ChildProcess[],
	env: Record<string, string> = {}
): Promise<ChildProcess> {
	// As `npm start` runs it (package.json: its node options, the heap cap among them).
	const start = (
		JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } }
	).scripts.start
		.split(/\s+/)
		.slice(1);
	const real = spawn(process.execPath, start, {
		env: {
			...process.env,
			PORT: String(port),
			HOST: '127.0.0.1',
			DATABASE_URL: databaseUrl,
			TOKEN_CACHE_MS: '600000',
			HEARTBEAT_RATE_PER_MINUTE: '100000',
			LOG_LEVEL: 'warn',
			NODE_OPTIONS: process.env.BENCH_SERVER_NODE_OPTIONS ?? '',
			...env
		}
	});
	children.push(real);
	await waitFor(real, /is running at/);
	return real;
}

export async function stopServer(server: ChildProcess): Promise<void> {
	if (server.exitCode !== null) return;
	server.kill('SIGTERM');
	await new Promise((resolve) => server.once('exit', resolve));
}

/** A scratch database on the benchmark's server: its URL and how to drop it. */
export async function scratchDatabase(name: string) {
	const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.unsafe(`create database ${name}`);
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	return {
		url: url.toString(),
		async drop(keep: boolean) {
			if (keep) console.log(`[bench] kept database ${name}`);
			else await admin.unsafe(`drop database if exists ${name} with (force)`);
			await admin.end();
		}
	};
}

/**
 * Issues device tokens for `codes` and writes wrk's "token tps target" lines to `file`, in a
 * fixed shuffled order (spread over the country, as real syncs are).
 */
export async function tokensFile(db: Database, codes: string[], file: string): Promise<string[]> {
	const targets = new Map(
		(
			await rows<{ code: string; target: number }>(
				db,
				sql`select code, target from tps where code in (select json_array_elements_text(${JSON.stringify(codes)}::json))`
			)
		).map((r) => [r.code, r.target])
	);
	const lines: string[] = [];
	for (let i = 0; i < codes.length; i += 50_000)
		for (const t of await issueDeviceTokens(db, codes.slice(i, i + 50_000)))
			lines.push(`${t.token} ${t.tpsCode} ${targets.get(t.tpsCode)}`);
	const shuffled = lines
		.map((l, i) => [l, (i * 7919) % lines.length] as const)
		.sort((a, b) => a[1] - b[1])
		.map(([l]) => l);
	writeFileSync(file, shuffled.join('\n') + '\n');
	return shuffled;
}

/** The heartbeat log's size: rows (as last analysed), heap and index megabytes. */
export async function logSize(db: Database) {
	const [size] = await rows<{ n: string; heap: string; indexes: string; tlog: string }>(
		db,
		sql`select (select coalesce(sum(greatest(c.reltuples, 0)), 0)::bigint from pg_inherits i join pg_class c
					on c.oid = i.inhrelid where i.inhparent = 'heartbeats'::regclass)::text as n,
				(select coalesce(sum(pg_table_size(i.inhrelid)), 0) from pg_inherits i
					where i.inhparent = 'heartbeats'::regclass)::text as heap,
				(select coalesce(sum(pg_indexes_size(i.inhrelid)), 0) from pg_inherits i
					where i.inhparent = 'heartbeats'::regclass)::text as indexes,
				(pg_total_relation_size('heartbeat_log') + pg_total_relation_size('log_tiles'))::text as tlog`
	);
	return {
		stored: Number(size.n),
		heapMb: Number(size.heap) / 2 ** 20,
		indexMb: Number(size.indexes) / 2 ** 20,
		/** The transparency log: the id registry with its index, and the tree's tiles. */
		tlogMb: Number(size.tlog) / 2 ** 20
	};
}

/**
 * Grows the log to `target` stored heartbeats: whole days, each loaded into a table of its own,
 * indexed, and attached as that day's partition (PostgreSQL keeps the indexes it finds), going
 * back from four days before today. The rows are spread over every TPS of the country.
 */
export async function growLog(db: Database, target: number, perDay: number): Promise<string[]> {
	await db.execute(sql`create table if not exists bench_codes as
		select row_number() over (order by code)::int as n, code from tps`);
	await db.execute(sql`create unique index if not exists bench_codes_n on bench_codes (n)`);
	const [{ total }] = await rows<{ total: number }>(
		db,
		sql`select count(*)::int as total from bench_codes`
	);
	await db.execute(sql`analyze heartbeats`);
	const existing = new Set(await partitionDays(db));
	let day = addDays(localDate(new Date(), ZONES.WIB), -4);
	let stored = (await logSize(db)).stored;
	const filled: string[] = [];
	while (stored < target) {
		while (existing.has(day)) day = addDays(day, -1);
		const count = Math.min(perDay, target - stored);
		const name = partitionName(day);
		const started = performance.now();
		await db.execute(sql.raw(`create table ${name} (like heartbeats including defaults)`));
		// Spread over the day (WIB) and over the country; received a few minutes after recording.
		await db.execute(
			sql.raw(`insert into ${name} (id, tps_code, pantarlih_id, device_token_id, verified, tms,
					new_voters, pending, recorded_at, received_at, app, battery)
				select gen_random_uuid(), c.code, 0, 0, (g % 300), 0, 0, 0, r.at,
					r.at + (g % 1800) * interval '1 second', '2.4.1', 0.8
				from generate_series(1, ${count}) g
				join bench_codes c on c.n = 1 + ((g::bigint * 7919) % ${total})
				cross join lateral (select timestamptz '${day} 00:00:00+07'
					+ ((g::bigint * 86399) / ${count}) * interval '1 second' as at) r`)
		);
		await db.execute(
			sql.raw(`alter table ${name} add constraint ${name}_pkey primary key (recorded_at, id)`)
		);
		await db.execute(sql.raw(`create index ${name}_tps on ${name} (tps_code, received_at, id)`));
		await db.execute(sql.raw(`create index ${name}_received on ${name} using brin (received_at)`));
		await db.execute(
			sql.raw(`alter table heartbeats attach partition ${name}
				for values from ('${day} 00:00:00+07') to ('${addDays(day, 1)} 00:00:00+07')`)
		);
		await db.execute(
			sql.raw(`create trigger heartbeats_no_truncate before truncate on ${name}
				for each statement execute function heartbeat_log_is_append_only()`)
		);
		// The transparency log over them, as the server would have kept it: each id registered with
		// its place (in receive order), the leaves in level-0 tiles (stand-in hashes: the bench
		// times sizes, not contents), and the tree above them grown by the server's own integrator.
		const [{ size }] = await rows<{ size: string }>(db, sql`select size from log_head`);
		await db.execute(
			sql.raw(`insert into heartbeat_log (id, content, tps_code, device_token_id, recorded_at, log_index)
				select id, heartbeat_content(tps_code, recorded_at, verified, tms, new_voters, pending, app,
					battery, lat, lng), tps_code, device_token_id, recorded_at,
					${size} + row_number() over (order by received_at, id) - 1
				from ${name}`)
		);
		await db.execute(
			sql.raw(`insert into log_tiles as t (level, idx, hashes)
				select 0, log_index / 256, string_agg(sha256(uuid_send(id)), ''::bytea order by log_index)
				from heartbeat_log where log_index >= ${size} group by log_index / 256
				on conflict (level, idx) do update set hashes = t.hashes || excluded.hashes`)
		);
		await db.execute(sql.raw(`update log_head set size = ${Number(size) + count}`));
		const integrating = performance.now();
		let grown = await integrate(db);
		while (grown && grown.treeSize < grown.size) grown = await integrate(db);
		console.log(
			`[bench] ${day}: ${count.toLocaleString('en')} leaves integrated into the tree in ${((performance.now() - integrating) / 1000).toFixed(1)} s`
		);
		await db.execute(sql.raw(`vacuum (analyze) ${name}`));
		existing.add(day);
		filled.push(day);
		stored += count;
		console.log(
			`[bench] ${day}: ${count.toLocaleString('en')} heartbeats in ${((performance.now() - started) / 1000).toFixed(1)} s (${stored.toLocaleString('en')} stored)`
		);
	}
	return filled;
}
