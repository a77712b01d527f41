/**
 * One time in the demo: what the database stamps by itself (tokens issued and revoked, audit
 * entries, accounts) follows the demo's compressed clock while a demo runs, so no page shows an
 * act before its cause; and the real clock when no demo runs.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/lib/server/platform/db/client';
import { openDemoClock } from '../../src/lib/server/platform/clock';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const appNow = async (db: TestDatabase) =>
	(await rows<{ at: number }>(db.db, sql`select extract(epoch from app_now()) * 1000 as at`))[0].at;

describe("the database's app_now()", () => {
	let database: TestDatabase;
	beforeAll(async () => {
		database = await createTestDatabase();
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('is the real clock without a demo', async () => {
		expect(Math.abs(Number(await appNow(database)) - Date.now())).toBeLessThan(5_000);
	});

	it("is the demo's clock while it runs, also for an audit entry's default time", async () => {
		const { clock } = await openDemoClock(database.db, 60, { firstDay: '2026-11-24' }, 3);
		// Day 3, 07:00 WIB, as the demo starts.
		expect(Math.abs(Number(await appNow(database)) - clock.now())).toBeLessThan(3_000);
		expect(Math.abs(clock.now() - Date.parse('2026-11-26T00:00:00Z'))).toBeLessThan(5_000);
		const [entry] = await rows<{ at: number }>(
			database.db,
			sql`insert into audit_log (actor, action) values ('cli', 'test')
				returning extract(epoch from at) * 1000 as at`
		);
		expect(Math.abs(Number(entry.at) - clock.now())).toBeLessThan(3_000);
	});

	it('stands where a stopped demo left it', async () => {
		await database.db.execute(
			sql`update demo_clock set saved_at = now() - interval '10 minutes', simulated_at = '2026-11-26T05:00:00Z'`
		);
		expect(Number(await appNow(database))).toBe(Date.parse('2026-11-26T05:00:00Z'));
	});
});
