/**
 * Today's rakor report is built once per region and shared for a few seconds: what it shares must
 * not depend on the viewer. Two viewers of different scope look at the same regency in turn; the
 * second gets the shared build (the same generation time) but its own breadcrumb.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadActivity } from '../../src/lib/server/rollup/activity';
import { Plan } from '../../src/lib/server/history/campaign';
import { report } from '../../src/lib/server/views/report';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import type { ViewDeps } from '../../src/lib/server/views/deps';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

describe("today's report cache", () => {
	let database: TestDatabase;
	let views: ViewDeps;

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		const store = new RollupStore();
		await store.load(database.db);
		const activity = await loadActivity(database.db);
		const plan = await Plan.load(database.db);
		// Noon of the campaign's first day in Gorontalo (WITA).
		const noon = Date.parse(`${plan.campaign!.firstDay}T12:00:00+08:00`);
		views = { db: database.db, store, activity, now: () => noon, plan: () => plan };
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('two viewers of different scope share the build, never a breadcrumb', async () => {
		const nation = { role: 'admin' as const, scope: 'id' };
		const regency = { role: 'coordinator' as const, scope: '7501' };
		const seenByNation = await report(views, nation, '7501', null);
		const seenByRegency = await report(views, regency, '7501', null);
		// The same build (generated once)...
		expect(seenByRegency.generatedAt).toBe(seenByNation.generatedAt);
		expect(seenByRegency.children).toEqual(seenByNation.children);
		// ...each with the path its viewer may see.
		expect(seenByNation.parents.map((p) => p.code)).toEqual(['id', '75']);
		expect(seenByRegency.parents).toEqual([]);
		// And the other way round, from a fresh region.
		const first = await report(views, regency, '750101', null);
		const second = await report(views, nation, '750101', null);
		expect(first.parents.map((p) => p.code)).toEqual(['7501']);
		expect(second.parents.map((p) => p.code)).toEqual(['id', '75', '7501']);
	});
});
