/**
 * A freeze on demand (the CLI's snapshot:freeze, inside one transaction) of a zone holding several
 * provinces with heartbeats: the digests are the ones computed outside any transaction, one
 * province after another on the transaction's one connection,.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZONES } from '../../src/lib/domain/calendar';
import { rows } from '../../src/lib/server/platform/db/client';
import { dayDigests } from '../../src/lib/server/evidence/day';
import { createPartitions } from '../../src/lib/server/evidence/partitions';
import { seed } from '../../src/lib/server/geography/seed';
import { CLI } from '../../src/lib/server/accounts/actor';
import { freezeOnDemand } from '../../src/lib/server/history/freeze-verbs';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const DAY = '2026-02-14';

describe('freezing a zone of several provinces', () => {
	let database: TestDatabase;

	beforeAll(async () => {
		database = await createTestDatabase();
		// Gorontalo and Sulawesi Barat: both WITA.
		await seed(database, { provinces: ['75', '76'] });
		await createPartitions(database.db, ['2026-02-13', DAY, '2026-02-15']);
		// Three heartbeats for each of the first four TPS of each province, received that day (WITA).
		await database.db.execute(sql`insert into heartbeats (id, tps_code, pantarlih_id,
				device_token_id, verified, tms, new_voters, pending, recorded_at, received_at, app, battery)
			select gen_random_uuid(), t.code, 0, 0, k * 10, 0, 0, 0,
				timestamptz '2026-02-14 09:00:00+08' + k * interval '1 hour',
				timestamptz '2026-02-14 09:00:00+08' + k * interval '1 hour' + interval '3 minutes',
				'2.4.1', 0.5
			from (select code from tps where code like '75%' order by code limit 4) t
				cross join generate_series(1, 3) k
			union all
			select gen_random_uuid(), t.code, 0, 0, k * 10, 0, 0, 0,
				timestamptz '2026-02-14 09:00:00+08' + k * interval '1 hour',
				timestamptz '2026-02-14 09:00:00+08' + k * interval '1 hour' + interval '3 minutes',
				'2.4.1', 0.5
			from (select code from tps where code like '76%' order by code limit 4) t
				cross join generate_series(1, 3) k`);
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('stores each province the digest its day gives, in one transaction', async () => {
		const [done] = await freezeOnDemand(database.db, CLI, [ZONES.WITA], DAY);
		expect(done.written).toBeGreaterThan(0);
		const stored = await rows<{ region_code: string; heartbeats: number; digest: string }>(
			database.db,
			sql`select region_code, heartbeats, digest from daily_snapshots
				where date = ${DAY} and region_code in ('75', '76') order by region_code`
		);
		const expected = await Promise.all(
			['75', '76'].map(async (p) => (await dayDigests(database.db, p, DAY)).get(p)!)
		);
		expect(stored).toEqual([
			{ region_code: '75', heartbeats: 12, digest: expected[0].digest },
			{ region_code: '76', heartbeats: 12, digest: expected[1].digest }
		]);
		expect(expected[0].digest).toMatch(/^[0-9a-f]{64}$/);
	});
});
