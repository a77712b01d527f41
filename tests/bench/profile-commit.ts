import { randomUUID } from 'node:crypto';
import postgres from 'postgres';
import { sql } from 'drizzle-orm';
import { openDatabase, rows } from '../../src/lib/server/db/client';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { commitBatch } from '../../src/lib/server/ingest/commit';
import { seed } from '../../src/lib/server/seed';
const admin = postgres('postgres://postgres@127.0.0.1:5432/postgres', {
	max: 1,
	onnotice: () => {}
});
await admin.unsafe('drop database if exists pantau_prof with (force)');
await admin.unsafe('create database pantau_prof');
const h = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/pantau_prof' });
await h.migrate();
await seed(h, { provinces: process.argv[2]?.split(',') ?? ['75', '31'] });
const codes = (await rows<{ code: string }>(h.db, sql`select code from tps order by code`)).map(
	(r) => r.code
);
const toks = await issueDeviceTokens(h.db, codes.slice(0, 20000));
await admin.unsafe(`alter database pantau_prof set log_min_duration_statement = 0`);
const h2 = await openDatabase({ databaseUrl: 'postgres://postgres@127.0.0.1:5432/pantau_prof' });
for (let round = 0; round < 6; round++) {
	const size = round < 3 ? 5000 : 64;
	const reqs = toks.slice(round * 5000, round * 5000 + size).map((t, i) => ({
		device: { tokenId: i + 1, pantarlihId: t.pantarlihId, tpsCode: t.tpsCode },
		items: [
			{
				id: randomUUID(),
				tps: t.tpsCode,
				verified: 10 + round,
				tms: 0,
				newVoters: 0,
				pending: 0,
				recordedAt: Date.now() - 60000 + round,
				app: null,
				battery: null,
				lat: null,
				lng: null
			}
		]
	}));
	const t0 = performance.now();
	await commitBatch(h2.db, reqs);
	console.log('`batch of ${size}:`,', (performance.now() - t0).toFixed(0), 'ms');
}
await h2.close();
await h.close();
await admin.unsafe(`alter database pantau_prof reset log_min_duration_statement`);
await admin.end();
