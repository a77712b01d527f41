/**
 * The follow-up list's sync states: each state is reached from a scripted
 * sequence of heartbeats and clock times through the real ingest path, and observers get masked
 * phones and no contact links.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../src/lib/domain/roles';
import { Plan } from '../../src/lib/server/history/campaign';
import { rows } from '../../src/lib/server/platform/db/client';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { IngestService } from '../../src/lib/server/ingest/service';
import { pantarlihList } from '../../src/lib/server/followup/pantarlih-list';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { loadActivity } from '../../src/lib/server/rollup/activity';
import type { ViewDeps } from '../../src/lib/server/views/deps';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const H = 3_600_000;
const T0 = Date.parse('2026-02-20T10:00:00+08:00');
const coordinator: Principal = { role: 'coordinator', scope: '7501', readOnly: false };
const observer: Principal = { role: 'observer', scope: '75', readOnly: false };

describe('Pantarlih sync states', () => {
	let database: TestDatabase;
	let ingest: IngestService;
	let views: ViewDeps;
	let now = T0;
	const store = new RollupStore();
	let tps: { code: string; target: number; token: string }[];

	const sync = async (i: number, verified: number, pending: number, at: number) => {
		now = at;
		const answer = await ingest.handle({
			method: 'POST',
			authorization: `Bearer ${tps[i].token}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(
				JSON.stringify({
					heartbeats: [
						{
							id: randomUUID(),
							tps: tps[i].code,
							verified,
							pending,
							recordedAt: new Date(at).toISOString()
						}
					]
				})
			)
		});
		expect(answer.status).toBe(200);
	};

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		const first = await rows<{ code: string; target: number }>(
			database.db,
			sql`select code, target from tps where code like '7501%' order by code limit 6`
		);
		const issued = new Map(
			(
				await issueDeviceTokens(
					database.db,
					first.map((t) => t.code)
				)
			).map((t) => [t.tpsCode, t.token])
		);
		tps = first.map((t) => ({ ...t, token: issued.get(t.code)! }));
		await store.load(database.db);
		const plan = await Plan.load(database.db);
		const activity = await loadActivity(database.db);
		// As the server's event bus does: the roll-ups and the activity index follow each commit.
		ingest = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now,
			onCommitted: (result) => {
				store.apply(result.deltas);
				for (const { after } of result.tps) activity.record(after.code, after, result.receivedAt);
			}
		});
		views = { db: database.db, store, activity, now: () => now, plan: () => plan };
	});
	afterAll(async () => {
		await ingest?.close();
		await database?.destroy();
	});

	it('reaches every state from scripted heartbeats and clock times', async () => {
		// 0: never syncs.
		// 1: one sync 25 hours before T0: silent.
		await sync(1, 20, 0, T0 - 25 * H);
		// 2: records pile up on the phone from 7 hours before T0: stuck.
		await sync(2, 20, 60, T0 - 7 * H);
		await sync(2, 25, 65, T0 - 1 * H);
		// 3: 30 verified 50 hours before T0, still 30 an hour before: stalled.
		await sync(3, 30, 0, T0 - 50 * H);
		await sync(3, 30, 0, T0 - 1 * H);
		// 4: working: active.
		await sync(4, 10, 0, T0 - 3 * H);
		await sync(4, 40, 2, T0 - 1 * H);
		// 5: done.
		await sync(5, tps[5].target, 0, T0 - 2 * H);
		now = T0;
		const list = await pantarlihList(views, coordinator, '7501', { sort: 'tps' });
		const state = (i: number) => list.rows.find((r) => r.tps === tps[i].code)!.state;
		expect([0, 1, 2, 3, 4, 5].map(state)).toEqual([
			'belum_pernah',
			'senyap',
			'tertahan',
			'macet',
			'aktif',
			'selesai'
		]);
		expect(list.counts.senyap).toBe(1);
		expect(list.counts.selesai).toBe(1);
		expect(list.counts.belum_pernah).toBe(list.total - 5);
		// Longest silence first: never-synced Pantarlih, then the silent one.
		const bySilence = await pantarlihList(views, coordinator, '7501', { state: 'senyap' });
		expect(bySilence.rows.map((r) => r.tps)).toEqual([tps[1].code]);
		// Time passes: the active one falls silent 25 hours after its last sync.
		now = T0 - 1 * H + 25 * H;
		const later = await pantarlihList(views, coordinator, '7501', { sort: 'tps' });
		expect(later.rows.find((r) => r.tps === tps[4].code)!.state).toBe('senyap');
	});

	it('gives coordinators the number and contact links, observers a masked number and none', async () => {
		now = T0;
		const mine = (await pantarlihList(views, coordinator, '7501', { sort: 'tps' })).rows[0];
		expect(mine.phone).toMatch(/^\+628\d{8,11}$/);
		expect(mine.phone).not.toContain('*');
		expect(mine.whatsapp).toMatch(/^https:\/\/wa\.me\/628\d+\?text=Yth\./);
		expect(decodeURIComponent(mine.whatsapp!)).toContain(`TPS ${mine.number}`);
		const theirs = (await pantarlihList(views, observer, '7501', { sort: 'tps' })).rows[0];
		expect(theirs.phone).toMatch(/^\+62 8\d{2}-\*{4}-\**\d{2}$/);
		expect(theirs.whatsapp).toBeNull();
		expect(theirs.tel).toBeNull();
	});

	it('refuses regions above regency level and outside the scope', async () => {
		await expect(pantarlihList(views, coordinator, '75')).rejects.toMatchObject({ status: 403 });
		await expect(pantarlihList(views, { ...coordinator, scope: '75' }, '75')).rejects.toMatchObject(
			{ status: 400 }
		);
	});
});
