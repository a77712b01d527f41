import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/lib/server/platform/db/client';
import { StartupError } from '../../src/lib/server/platform/startup-error';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { rollupMismatches } from '../fixtures/recount';
import { levelCounts, seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';
import { expectedCounts } from '../fixtures/wilayah';

// Kalimantan Utara and Gorontalo: two small provinces (2,295 and 3,539 TPS).
const SMALL = ['65', '75'];

describe('seeding', () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('refuses an unknown province and writes nothing', async () => {
		await expect(seed(database, { provinces: ['65', '99'] })).rejects.toThrow(
			/unknown province code 99/
		);
		expect((await levelCounts(database)).tps).toBe(0);
	});

	it('an interrupted seed leaves nothing that looks complete', async () => {
		let lines = 0;
		const failOnSecondProvince = (line: string) => {
			if (/^\[seed\]\s+\d+\/\d+ /.test(line) && ++lines === 2) throw new Error('killed');
		};
		await expect(seed(database, { provinces: SMALL, log: failOnSecondProvince })).rejects.toThrow(
			'killed'
		);
		expect(await levelCounts(database)).toEqual({
			province: 0,
			regency: 0,
			district: 0,
			village: 0,
			tps: 0,
			pantarlih: 0
		});
		const marks = await rows(database.db, sql`select * from seeded_provinces`);
		expect(marks).toEqual([]);
	});

	it('loads exactly the regions, TPS and Pantarlih of the chosen provinces', async () => {
		const result = await seed(database, { provinces: SMALL });
		expect(result.loaded).toEqual(SMALL);
		expect(await levelCounts(database)).toEqual(expectedCounts(SMALL));
	});

	it('a second run adds nothing', async () => {
		const before = await levelCounts(database);
		const result = await seed(database, { provinces: SMALL });
		expect(result.loaded).toEqual([]);
		expect(result.alreadyLoaded).toEqual(SMALL);
		expect(await levelCounts(database)).toEqual(before);
	});

	it('adds a province to a seeded database with its keys in place', async () => {
		await seed(database, { provinces: [...SMALL, '92'] });
		expect(await levelCounts(database)).toEqual(expectedCounts([...SMALL, '92']));
		// Keys survived both loads: a duplicate TPS is refused.
		await expect(
			database.db.execute(
				sql`insert into tps (code, village_code, number, target) select code, village_code, number, target from tps limit 1`
			)
		).rejects.toThrow();
	});

	it('marks every simulated row and keeps targets within 100..300', async () => {
		const [stats] = await rows<{ min: number; max: number; real: number; phones: number }>(
			database.db,
			sql`select min(target)::int as min, max(target)::int as max,
				(select count(*)::int from pantarlih where not simulated) as real,
				(select count(distinct phone)::int from pantarlih) as phones
			from tps`
		);
		expect(stats.min).toBeGreaterThanOrEqual(100);
		expect(stats.max).toBeLessThanOrEqual(300);
		expect(stats.real).toBe(0);
		expect(stats.phones).toBe(expectedCounts([...SMALL, '92']).pantarlih);
	});

	it('the roll-up store loads totals equal to a fresh count at every level', async () => {
		const store = new RollupStore();
		await store.load(database.db);
		expect(store.size).toBe(
			1 +
				Object.values(expectedCounts([...SMALL, '92']))
					.slice(0, 4)
					.reduce((a, b) => a + b)
		);
		expect(await rollupMismatches(database.db, store.all())).toEqual([]);
		expect(store.children('id').map((c) => c.code)).toEqual(['65', '75', '92']);
		expect(store.get('id')?.tps).toBe(expectedCounts([...SMALL, '92']).tps);
	});

	it('reloading unchanged totals keeps their versions; a change moves them', async () => {
		const store = new RollupStore();
		await store.load(database.db);
		const before = store.get('65')!.version;
		await store.load(database.db);
		expect(store.get('65')!.version).toBe(before);
		await database.db.execute(
			sql`update tps set target = target + 1 where code like '65%' and number = 1`
		);
		await store.load(database.db);
		expect(store.get('65')!.version).toBe(before + 1);
		expect(store.get('75')!.version).toBe(before);
	});

	it('migrations applied twice change nothing', async () => {
		await database.migrate();
		expect((await levelCounts(database)).province).toBe(3);
	});

	it('a malformed hierarchy file stops the seed with a clear message', async () => {
		const error = await seed(database, { wilayahFile: 'package.json' }).catch((e) => e);
		expect(error).toBeInstanceOf(StartupError);
		expect((error as StartupError).describe()).toMatch(
			/hierarchy file package\.json is unusable: hierarchy file is malformed at names/
		);
		const missing = await seed(database, { wilayahFile: 'no/such/file.json.gz' }).catch((e) => e);
		expect((missing as StartupError).describe()).toMatch(/cannot read the hierarchy file/);
	});
});

describe('the national seed', () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('loads 38 provinces, 514 regencies, 7,277 districts, 83,731 villages, 820,161 TPS', async () => {
		await seed(database);
		const counts = await levelCounts(database);
		expect(counts).toEqual(expectedCounts());
		expect(counts).toEqual({
			province: 38,
			regency: 514,
			district: 7277,
			village: 83731,
			tps: 820161,
			pantarlih: 820161
		});
	});
});
