/**
 * The heartbeat log as evidence,: day partitions made ahead of time (a heartbeat
 * with no partition of its own still found), idempotency across partitions (a backlog re-sent a
 * week later is a duplicate, counted as a re-send), the log append-only, the chronology exactly
 * what was sent with what each heartbeat did, scope and masking, and a frozen day's digests:
 * recomputable from the stream, stable, and naming the village where one stored row was altered.
 */
import { createHash, randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZONES, addDays } from '../../src/lib/domain/calendar';
import { canonicalLine } from '../../src/lib/domain/evidence';
import { loadActivity } from '../../src/lib/server/rollup/activity';
import { Plan } from '../../src/lib/server/history/campaign';
import { rows } from '../../src/lib/server/platform/db/client';
import { heartbeatsOfDay } from '../../src/lib/server/evidence/day';
import {
	createPartitions,
	partitionDays,
	wantedDays
} from '../../src/lib/server/evidence/partitions';
import { freezeDay, snapshotsOn } from '../../src/lib/server/history/snapshots';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { IngestService } from '../../src/lib/server/ingest/service';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import { chronology, tpsState } from '../../src/lib/server/views/tps';
import { dashboard } from '../../src/lib/server/views/dashboard';
import { verifyDay } from '../../src/lib/server/evidence/verify';
import type { ViewDeps } from '../../src/lib/server/views/deps';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

// Gorontalo (75, WITA, UTC+8).
const at = (local: string) => Date.parse(`${local}+08:00`);
const DAY = '2026-02-14';

describe('the evidence', () => {
	let database: TestDatabase;
	let now = at(`${DAY}T09:00:00`);
	let ingest: IngestService;
	let views: ViewDeps;
	let tps: { code: string; token: string }[];
	const store = new RollupStore();

	const send = async (
		index: number,
		items: { id?: string; verified: number; recorded: number }[]
	) => {
		const { code, token } = tps[index];
		const ids = items.map((i) => i.id ?? randomUUID());
		const answer = await ingest.handle({
			method: 'POST',
			authorization: `Bearer ${token}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(
				JSON.stringify({
					heartbeats: items.map((i, k) => ({
						id: ids[k],
						tps: code,
						verified: i.verified,
						pending: 2,
						recordedAt: new Date(i.recorded).toISOString(),
						app: '2.1.0',
						battery: 0.8,
						lat: 0.55,
						lng: 123.06
					}))
				})
			)
		});
		expect(answer.status).toBe(200);
		return { ids, body: answer.body as { accepted: number; duplicates: number } };
	};

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		await database.db.execute(
			sql`update campaigns set first_day = '2026-02-12', last_day = '2026-03-13'`
		);
		const first = await rows<{ code: string }>(
			database.db,
			sql`select code from tps where code like '7501%' order by code limit 6`
		);
		const issued = await issueDeviceTokens(
			database.db,
			first.map((t) => t.code)
		);
		tps = issued.map((t) => ({ code: t.tpsCode, token: t.token }));
		await store.load(database.db);
		const plan = await Plan.load(database.db);
		views = {
			db: database.db,
			store,
			activity: await loadActivity(database.db),
			now: () => now,
			plan: () => plan
		};
		ingest = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now,
			onCommitted: (result) => store.apply(result.deltas)
		});
	});
	afterAll(async () => {
		await ingest?.close();
		await database?.destroy();
	});

	it("makes the campaign's day partitions ahead of time; a far-off clock lands in the default one", async () => {
		const campaign = { firstDay: '2026-02-12', lastDay: '2026-03-13' };
		const { created } = await createPartitions(database.db, wantedDays(now, campaign));
		expect(created).toContain(DAY);
		expect(created).toContain(addDays(DAY, 7));
		// A server down over midnight: the next start makes what is missing, nothing twice.
		now = at('2026-02-20T09:00:00');
		const again = await createPartitions(database.db, wantedDays(now, campaign));
		expect(again.created).toEqual(
			wantedDays(now, campaign).filter(
				(d) => !wantedDays(at(`${DAY}T09:00:00`), campaign).includes(d)
			)
		);
		expect(await partitionDays(database.db)).toContain('2026-03-14');
		now = at(`${DAY}T09:00:00`);
		const { ids } = await send(5, [
			{ verified: 5, recorded: at(`${DAY}T08:00:00`) },
			{ verified: 3, recorded: Date.parse('2020-01-01T00:00:00Z') }
		]);
		const where = await rows<{ id: string; partition: string }>(
			database.db,
			sql`select id::text as id, tableoid::regclass::text as partition from heartbeats
				where id in (${ids[0]}::uuid, ${ids[1]}::uuid)`
		);
		const partitionOf = new Map(where.map((w) => [w.id, w.partition]));
		expect(partitionOf.get(ids[0])).toBe('heartbeats_p20260214');
		expect(partitionOf.get(ids[1])).toBe('heartbeats_default');
		// Both are in the chronology.
		const page = await chronology(views, { role: 'admin', scope: 'id' }, tps[5].code, null);
		expect(page.entries.map((e) => e.id).sort()).toEqual([...ids].sort());
	});

	it('a backlog re-sent a week later is a duplicate, counted as a re-send; a late older snapshot moves nothing', async () => {
		const recorded = at(`${DAY}T10:00:00`);
		now = at(`${DAY}T10:05:00`);
		const first = await send(0, [{ verified: 40, recorded }]);
		expect(first.body).toMatchObject({ accepted: 1, duplicates: 0 });
		now = at(`${DAY}T11:00:00`);
		await send(0, [{ verified: 60, recorded: at(`${DAY}T10:55:00`) }]);
		// A week later the phone re-sends the old backlog, and one snapshot older than the counted one.
		now = at(`${addDays(DAY, 7)}T09:00:00`);
		const again = await send(0, [
			{ id: first.ids[0], verified: 40, recorded },
			{ verified: 50, recorded: at(`${DAY}T10:30:00`) }
		]);
		expect(again.body).toMatchObject({ accepted: 1, duplicates: 1 });
		const [{ n }] = await rows<{ n: number }>(
			database.db,
			sql`select count(*)::int as n from heartbeats where id = ${first.ids[0]}::uuid`
		);
		expect(n).toBe(1);
		const page = await chronology(views, { role: 'admin', scope: 'id' }, tps[0].code, null);
		// Newest received first: exactly what was sent, each once.
		expect(page.entries.map((e) => e.verified)).toEqual([50, 60, 40]);
		expect(page.entries[0].effect).toEqual({ moved: false, current: 60 });
		expect(page.entries[1].effect).toEqual({ moved: true, from: 40, to: 60 });
		expect(page.entries[2].effect).toEqual({ moved: true, from: null, to: 40 });
		expect(page.entries[2].resends).toBe(1);
		// Recorded at 10:30 on the day, received a week later at 09:00: 7 days less 1.5 hours.
		expect(page.entries[0].delaySeconds).toBe(7 * 86_400 - 90 * 60);
		expect(page.entries[2].device.issuedAt).not.toBeNull();
		const state = await tpsState(views, { role: 'admin', scope: 'id' }, tps[0].code);
		expect(state.verified).toBe(60);
		now = at(`${DAY}T12:00:00`);
	});

	it('pages by a cursor the server signed, and refuses one it did not', async () => {
		now = at(`${DAY}T12:00:00`);
		for (let k = 1; k <= 5; k++) {
			now = at(`${DAY}T12:0${k}:30`);
			await send(1, [{ verified: k * 10, recorded: at(`${DAY}T12:0${k}:00`) }]);
		}
		const admin = { role: 'admin' as const, scope: 'id' };
		const first = await chronology(views, admin, tps[1].code, null, 2);
		expect(first.entries.map((e) => e.verified)).toEqual([50, 40]);
		const second = await chronology(views, admin, tps[1].code, first.next, 2);
		expect(second.entries.map((e) => e.verified)).toEqual([30, 20]);
		const last = await chronology(views, admin, tps[1].code, second.next, 2);
		expect(last.entries.map((e) => e.verified)).toEqual([10]);
		expect(last.next).toBeNull();
		// Effects across pages continue from what counted before the page.
		expect(second.entries[1].effect).toEqual({ moved: true, from: 10, to: 20 });
		const forged = Buffer.from(JSON.stringify({ r: 0, i: randomUUID() })).toString('base64url');
		for (const cursor of [`${forged}.AAAAAAAAAAAAAAAAAAAAAA`, 'nonsense', `${first.next}x`])
			await expect(chronology(views, admin, tps[1].code, cursor, 2)).rejects.toMatchObject({
				status: 400,
				problem: 'badCursor'
			});
	});

	it('lists one backlog (one receive time) newest recorded first, across pages too', async () => {
		now = at(`${DAY}T21:00:00`);
		// Sent in one sync, in no particular order (as a phone's backlog can be).
		const hours = ['20:00', '07:51', '21:00', '08:23', '08:09'];
		await send(
			2,
			hours.map((h, k) => ({ verified: 10 + k, recorded: at(`${DAY}T${h}:00`) }))
		);
		const admin = { role: 'admin' as const, scope: 'id' };
		const first = await chronology(views, admin, tps[2].code, null, 3);
		const second = await chronology(views, admin, tps[2].code, first.next, 3);
		const times = [...first.entries, ...second.entries].map((e) =>
			new Date(e.recordedAt + 8 * 3_600_000).toISOString().slice(11, 16)
		);
		expect(times).toEqual(['21:00', '20:00', '08:23', '08:09', '07:51']);
	});

	it('keeps to scope: a TPS of another regency is refused; observers see masked phones', async () => {
		const code = tps[0].code;
		const neighbour = { role: 'coordinator' as const, scope: '7502' };
		await expect(tpsState(views, neighbour, code)).rejects.toMatchObject({ status: 403 });
		await expect(chronology(views, neighbour, code, null)).rejects.toMatchObject({ status: 403 });
		await expect(tpsState(views, neighbour, '7501010001999')).rejects.toMatchObject({
			status: 404
		});
		await expect(tpsState(views, neighbour, '75x')).rejects.toMatchObject({ status: 400 });
		const seen = await tpsState(views, { role: 'observer', scope: '75' }, code);
		expect(seen.pantarlih.phone).toMatch(/^\+62 8\d\d-\*\*\*\*-/);
		const coordinator = await tpsState(views, { role: 'coordinator', scope: '7501' }, code);
		expect(coordinator.pantarlih.phone).toMatch(/^\+628\d+$/);
	});

	it('refuses to change, delete or empty a stored heartbeat, a flag or a re-send', async () => {
		const [one] = await rows<{ id: string }>(
			database.db,
			sql`select id::text as id from heartbeats limit 1`
		);
		await database.db.execute(
			sql`insert into heartbeat_flags values (${one.id}::uuid, now(), 'decrease', now())`
		);
		// One day's partition and the default one, each on its own (their parent's statement
		// triggers are not inherited).
		const [part] = await rows<{ name: string }>(
			database.db,
			sql`select tableoid::regclass::text as name from heartbeats limit 1`
		);
		expect(part.name).toMatch(/^heartbeats_p\d{8}$/);
		for (const statement of [
			sql`update heartbeats set verified = 0`,
			sql`delete from heartbeats`,
			sql`truncate heartbeats`,
			sql.raw(`truncate ${part.name}`),
			sql`truncate heartbeats_default`,
			sql`update heartbeat_resends set device_token_id = 0`,
			sql`delete from heartbeat_flags`,
			sql`truncate heartbeat_flags`
		]) {
			const refused = await database.db.execute(statement).then(
				() => null,
				(e: { message?: string; cause?: { message?: string } }) =>
					`${e.message} ${e.cause?.message}`
			);
			expect(refused).toMatch(/append-only/);
		}
	});

	it('freezes digests anyone can recompute from the stream, stable, naming an altered row', async () => {
		now = at(`${addDays(DAY, 1)}T00:10:00`);
		const ctx = { db: database.db, store, activity: views.activity, plan: views.plan(), now };
		await freezeDay(ctx, ZONES.WITA, DAY);
		const village = tps[1].code.slice(0, 10);
		const frozen = await snapshotsOn(database.db, [village, '7501', '75'], DAY);
		expect(frozen.get(village)?.heartbeats).toBeGreaterThan(0);
		// The village's digest is the SHA-256 of its stream.
		const hash = createHash('sha256');
		for await (const page of heartbeatsOfDay(database.db, village, DAY, async () => ['75']))
			for (const row of page) hash.update(canonicalLine(row));
		expect(hash.digest('hex')).toBe(frozen.get(village)?.digest);
		// Recomputed later (a restart changes nothing): equal everywhere.
		const verdicts = await verifyDay(database.db, ['75'], DAY, '75');
		expect(verdicts.every((v) => v.equal)).toBe(true);
		// A superuser alters one stored row behind the triggers' back.
		await database.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(
				sql`update heartbeats set verified = verified + 1
					where tps_code = ${tps[1].code} and received_at >= ${new Date(at(`${DAY}T00:00:00`)).toISOString()}::timestamptz`
			);
		});
		const after = await verifyDay(database.db, ['75'], DAY, '75');
		const different = after.filter((v) => !v.equal).map((v) => v.code);
		expect(different).toEqual(
			['75', tps[1].code.slice(0, 4), tps[1].code.slice(0, 6), village].sort()
		);
	});

	it("the village page lists its TPS, and they add up to the village's numbers", async () => {
		const village = tps[1].code.slice(0, 10);
		const board = await dashboard(views, { role: 'admin', scope: 'id' }, village, null);
		const rowsOfVillage = board.tps!;
		expect(rowsOfVillage.length).toBe(board.region.tps);
		expect(rowsOfVillage.map((r) => r.code)).toEqual([...rowsOfVillage.map((r) => r.code)].sort());
		const sum = (key: 'verified' | 'target') => rowsOfVillage.reduce((n, r) => n + r[key], 0);
		expect(sum('verified')).toBe(board.region.verified);
		expect(sum('target')).toBe(board.region.target);
		expect(sum('verified')).toBeGreaterThan(0);
	});
});
