/**
 * SIGKILL in the middle of a load loses no heartbeat that was answered 200, on the embedded
 * PostgreSQL (whose postmaster outlives the killed server and must be found and stopped by the
 * next start) and (with TEST_DATABASE_URL) on a PostgreSQL server: the built server is killed
 * while 16 phones sync, restarted, and every acknowledged heartbeat must be stored, with each TPS
 * showing its latest stored snapshot.
 */
import { bulkTokens } from '../fixtures/cli';
import { tempDir } from '../fixtures/temp';
import { startServer } from '../fixtures/server';
import { randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { expect, test } from '@playwright/test';
import { openDatabase, rows } from '../../src/lib/server/platform/db/client';
import { openConfiguredDatabase } from '../../src/lib/server/platform/db/configured';

const PORT = 4188;
const engines = process.env.TEST_DATABASE_URL ? ['embedded', 'server'] : ['embedded'];
const start = (env: Record<string, string>) =>
	startServer(PORT, {
		SEED_PROVINCES: '75',
		DEMO: '0',
		HEARTBEAT_RATE_PER_MINUTE: '100000',
		...env
	});

for (const engine of engines) {
	test(`SIGKILL mid-load loses no acknowledged heartbeat (${engine})`, async () => {
		test.setTimeout(180_000);
		const work = tempDir('pantau-kill-');
		let databaseUrl = '';
		let admin: postgres.Sql | undefined;
		const name = `pantau_kill_${process.pid}`;
		if (engine === 'server') {
			admin = postgres(process.env.TEST_DATABASE_URL!, { max: 1, onnotice: () => {} });
			await admin.unsafe(`create database ${name}`);
			const url = new URL(process.env.TEST_DATABASE_URL!);
			url.pathname = `/${name}`;
			databaseUrl = url.toString();
		}
		const env = { DATA_DIR: path.join(work, 'data'), DATABASE_URL: databaseUrl };
		try {
			let server = await start(env);
			const phones = bulkTokens('7501', env).slice(0, 16);
			const acknowledged = new Set<string>();
			let answered = 0;
			let stop = false;
			const phone = async ([tps, token]: string[]) => {
				for (let round = 1; !stop; round++) {
					const items = Array.from({ length: 5 }, (_, k) => ({
						id: randomUUID(),
						tps,
						verified: Math.min(300, round * 5 + k),
						recordedAt: new Date(Date.now() - 60_000 + k).toISOString()
					}));
					try {
						const response = await fetch(`http://127.0.0.1:${PORT}/api/v1/heartbeats`, {
							method: 'POST',
							headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
							body: JSON.stringify({ heartbeats: items })
						});
						if (response.status === 200) {
							for (const item of items) acknowledged.add(item.id);
							answered += 1;
						}
					} catch {
						return; // the server is gone
					}
				}
			};
			const load = Promise.all(phones.map(phone));
			await new Promise((resolve) => setTimeout(resolve, 2_500));
			server.kill('SIGKILL');
			await new Promise((resolve) => server.once('exit', resolve));
			stop = true;
			await load;
			expect(answered).toBeGreaterThan(20);

			// Restart on the same data: crash recovery, then a clean stop to read the data directly.
			server = await start(env);
			server.kill('SIGTERM');
			await new Promise((resolve) => server.once('exit', resolve));

			const database = databaseUrl
				? { handle: await openDatabase({ databaseUrl }), close: async () => {} }
				: await openConfiguredDatabase({ DATA_DIR: env.DATA_DIR }, () => {});
			const { handle } = database;
			const stored = new Set(
				(await rows<{ id: string }>(handle.db, sql`select id::text as id from heartbeats`)).map(
					(r) => r.id
				)
			);
			const lost = [...acknowledged].filter((id) => !stored.has(id));
			const [stale] = await rows<{ n: number }>(
				handle.db,
				sql`select count(*)::int as n from tps t where t.recorded_at is not null and t.verified <> (
					select h.verified from heartbeats h where h.tps_code = t.code
					order by h.recorded_at desc, h.verified desc limit 1)`
			);
			await handle.close();
			await database.close();
			console.log(
				`[kill ${engine}] acknowledged ${acknowledged.size}, stored ${stored.size}, lost ${lost.length}`
			);
			expect(lost).toEqual([]);
			expect(stale.n).toBe(0);
		} finally {
			if (admin) {
				await admin.unsafe(`drop database if exists ${name} with (force)`);
				await admin.end();
			}
			rmSync(work, { recursive: true, force: true });
		}
	});
}
