/**
 * `npm run bench:commit`: the group-commit statement alone (commit.ts, no HTTP, no server), on a
 * fresh PostgreSQL database with the national seed: three committers at once, as the server runs
 * them, for 10 s per case. Prints heartbeats/s and the CPU PostgreSQL spent per heartbeat (read
 * from /proc, so the database must run on this machine), for groups of 20 and 100 single
 * heartbeats of distinct TPS, taken in code order (neighbours share table pages) or spread over
 * the country (as real syncs arrive). It shows what one heartbeat costs the database by itself.
 *
 * Settings: BENCH_DATABASE_URL (server to create the scratch database on), BENCH_PROVINCES (all).
 */
import { execSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../../src/lib/server/platform/db/client';
import { commitBatch, type PendingRequest } from '../../src/lib/server/ingest/commit';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { seed } from '../../src/lib/server/geography/seed';

const serverUrl = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const provinces = process.env.BENCH_PROVINCES?.split(',');
const PHONES = 20_000;
const SECONDS = 10;
const COMMITTERS = 3;

/** CPU ticks (1/100 s) of every postgres process on this machine. */
const postgresTicks = () =>
	Number(
		execSync(
			`cat /proc/[0-9]*/stat 2>/dev/null | awk '$2 ~ /postgres/ {s+=$14+$15} END {print s}'`
		).toString()
	);

interface Phone {
	device: PendingRequest['device'];
	target: number;
}

const admin = postgres(serverUrl, { max: 1, onnotice: () => {} });
const name = `pantau_bench_commit_${process.pid}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
try {
	console.log(`[bench] seeding ${provinces?.join(',') ?? 'the nation'} into ${name}`);
	const handle = await openDatabase({ databaseUrl: url.toString(), poolSize: COMMITTERS + 1 });
	await handle.migrate();
	await seed(handle, { provinces });
	const tps = await rows<{ code: string; target: number }>(
		handle.db,
		sql`select code, target from tps order by code`
	);
	// Every n-th TPS in code order (n = TPS / 20,000) is spread over the whole table; the last
	// 20,000 are neighbours.
	const stride = Math.max(1, Math.floor(tps.length / PHONES));
	const spread = tps.filter((_, i) => i % stride === 0).slice(0, PHONES);
	const ordered = tps.slice(tps.length - PHONES);
	const issue = async (list: typeof tps): Promise<Phone[]> => {
		const targets = new Map(list.map((t) => [t.code, t.target]));
		const issued = await issueDeviceTokens(
			handle.db,
			list.map((t) => t.code)
		);
		const ids = new Map(
			(
				await rows<{ id: number; tps_code: string }>(
					handle.db,
					sql`select id, tps_code from device_tokens where revoked_at is null`
				)
			).map((r) => [r.tps_code, r.id])
		);
		return issued.map((t) => ({
			device: { tokenId: ids.get(t.tpsCode)!, pantarlihId: t.pantarlihId, tpsCode: t.tpsCode },
			target: targets.get(t.tpsCode)!
		}));
	};
	const cases = {
		'spread over the country': await issue(spread),
		'in code order': await issue(ordered)
	};
	await handle.db.execute(sql`analyze`);

	const epoch = Date.now() / 1000 - 100;
	const table = [];
	for (const size of [20, 100]) {
		for (const [label, phones] of Object.entries(cases)) {
			let position = 0;
			let done = 0;
			const until = Date.now() + SECONDS * 1000;
			const committer = async () => {
				while (Date.now() < until) {
					const requests: PendingRequest[] = [];
					for (let i = 0; i < size; i++) {
						const phone = phones[position++ % phones.length];
						const at = Date.now() - 60_000;
						requests.push({
							device: phone.device,
							items: [
								{
									id: randomUUID(),
									tps: phone.device.tpsCode,
									// Grows with time, never past the target: no data-quality anomaly.
									verified: Math.min(phone.target, Math.floor((at / 1000 - epoch) / 4)),
									tms: 0,
									newVoters: 0,
									pending: 0,
									recordedAt: at,
									app: null,
									battery: null,
									lat: null,
									lng: null
								}
							]
						});
					}
					await commitBatch(handle.db, requests);
					done += size;
				}
			};
			const ticks = postgresTicks();
			const started = performance.now();
			await Promise.all(Array.from({ length: COMMITTERS }, committer));
			const seconds = (performance.now() - started) / 1000;
			table.push({
				group: size,
				TPS: label,
				'heartbeats/s': Math.round(done / seconds),
				'PostgreSQL CPU µs per heartbeat': Math.round(
					((postgresTicks() - ticks) / 100 / done) * 1e6
				)
			});
		}
	}
	console.table(table);
	await handle.close();
} finally {
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await admin.end();
}
