/**
 * `npm run bench:seed`: the national seed (820,161 TPS and Pantarlih) into a fresh embedded
 * PostgreSQL and into a fresh database on the PostgreSQL server of BENCH_DATABASE_URL (default:
 * the local server), printing the time of each.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../src/lib/server/platform/db/client';
import { startEmbeddedPostgres } from '../../src/lib/server/platform/db/embedded';
import { levelCounts, seed } from '../../src/lib/server/geography/seed';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function measure(name: string, handle: DatabaseHandle) {
	await handle.migrate();
	const result = await seed(handle);
	const counts = await levelCounts(handle);
	await handle.close();
	return {
		engine: name,
		seconds: result.seconds.toFixed(1),
		tps: counts.tps,
		pantarlih: counts.pantarlih
	};
}

const results = [];
const dir = mkdtempSync(path.join(tmpdir(), 'pantau-bench-'));
const embedded = await startEmbeddedPostgres(dir);
try {
	results.push(
		await measure('embedded PostgreSQL', await openDatabase({ databaseUrl: embedded.url }))
	);
} finally {
	await embedded.stop();
	rmSync(dir, { recursive: true, force: true });
}

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = `pantau_bench_${process.pid}`;
await admin.unsafe(`create database ${name}`);
try {
	const url = new URL(serverUrl);
	url.pathname = `/${name}`;
	results.push(await measure('PostgreSQL', await openDatabase({ databaseUrl: url.toString() })));
} finally {
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.end();
}
console.table(results);
