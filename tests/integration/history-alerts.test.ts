/**
 * Daily snapshots and alerts, with the server's pieces wired as in runtime.ts and
 * a clock the test moves: a frozen day never changes, a region behind target opens exactly one
 * alert and closes it when it recovers, data quality is flagged once, people acknowledge with a
 * note, and the webhook gets signed deliveries without ever holding up ingestion.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZONES } from '../../src/lib/domain/calendar';
import type { ActivityIndex } from '../../src/lib/domain/activity';
import type { AlertEvent } from '../../src/lib/protocol/live';
import { AppError } from '../../src/lib/domain/errors';
import { AlertService } from '../../src/lib/server/alerts/service';
import { SIGNATURE_HEADER, WebhookOutbox, signature } from '../../src/lib/server/alerts/webhook';
import { EventBus } from '../../src/lib/server/platform/events';
import type { Actor } from '../../src/lib/server/accounts/actor';
import { Plan } from '../../src/lib/server/history/campaign';
import { rows } from '../../src/lib/server/platform/db/client';
import {
	freezeDay,
	freezeEndedDays,
	seriesOf,
	snapshotsOn
} from '../../src/lib/server/history/snapshots';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { IngestService } from '../../src/lib/server/ingest/service';
import { loadActivity } from '../../src/lib/server/rollup/activity';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

// Gorontalo (75, WITA, UTC+8): 3,539 TPS. The campaign: 12 February to 13 March 2026.
const PROVINCE = '75';
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('history and alerts', () => {
	let database: TestDatabase;
	let now = at('2026-02-14T10:00:00');
	const store = new RollupStore();
	let activity: ActivityIndex;
	let plan: Plan;
	let alerts: AlertService;
	let ingest: IngestService;
	const changes: AlertEvent[] = [];
	let tps: { code: string; target: number; token: string }[];
	const ctx = () => ({ db: database.db, store, activity, plan, now });

	const sync = async (code: string, verified: number, minutesAgo = 0) => {
		const token = tps.find((t) => t.code === code)!.token;
		const answer = await ingest.handle({
			method: 'POST',
			authorization: `Bearer ${token}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(
				JSON.stringify({
					heartbeats: [
						{
							id: randomUUID(),
							tps: code,
							verified,
							recordedAt: new Date(now - minutesAgo * 60_000).toISOString()
						}
					]
				})
			)
		});
		expect(answer.status).toBe(200);
		// The data-quality check runs after the answer; let it finish.
		await new Promise((resolve) => setTimeout(resolve, 50));
	};

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: [PROVINCE] });
		await database.db.execute(
			sql`update campaigns set first_day = '2026-02-12', last_day = '2026-03-13'`
		);
		const first = await rows<{ code: string; target: number }>(
			database.db,
			sql`select code, target from tps order by code limit 30`
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
		activity = await loadActivity(database.db);
		plan = await Plan.load(database.db);
		const bus = new EventBus();
		bus.on('alerts', (events) => changes.push(...events));
		alerts = new AlertService({
			db: database.db,
			store,
			activity,
			plan: () => plan,
			now: () => now,
			bus,
			outbox: true
		});
		await alerts.load();
		ingest = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now,
			onCommitted: (result) => {
				store.apply(result.deltas);
				for (const { after } of result.tps) activity.record(after.code, after, result.receivedAt);
				alerts.afterCommit(result).catch((error) => console.error('afterCommit', error));
			}
		});
	});
	afterAll(async () => {
		await ingest?.close();
		await database?.destroy();
	});

	it('freezes each zone once at its local midnight; later heartbeats do not change a frozen day', async () => {
		for (const t of tps.slice(0, 10)) await sync(t.code, 100);
		const before = store.get(PROVINCE)!;
		expect(before.verified).toBe(1_000);

		// 00:00:30 WITA on the 15th: Gorontalo's 14th has ended (it is still the 14th in Jakarta).
		now = at('2026-02-15T00:00:30');
		const frozen = await freezeEndedDays(ctx());
		expect(frozen.some((line) => line.startsWith('WITA 2026-02-14'))).toBe(true);
		expect(frozen.some((line) => line.startsWith('WIB 2026-02-13'))).toBe(true);
		const regions = store.all().filter((r) => r.code.startsWith(PROVINCE)).length;
		const [{ n }] = await rows<{ n: number }>(
			database.db,
			sql`select count(*)::int as n from daily_snapshots where date = '2026-02-14'`
		);
		expect(n).toBe(regions);
		const day = (await snapshotsOn(
			database.db,
			[PROVINCE, tps[0].code.slice(0, 10)],
			'2026-02-14'
		))!;
		expect(day.get(PROVINCE)).toMatchObject({
			verified: 1_000,
			tpsSynced: 10,
			tpsSyncedToday: 10,
			targetShare: 3 / 30
		});
		// The report's part of the row: every Pantarlih in one sync state, the 10 furthest behind.
		const own = day.get(PROVINCE)!;
		const total = store.get(PROVINCE)!.tps;
		expect(own.syncStates!.reduce((sum, n) => sum + n, 0)).toBe(total);
		expect(own.syncStates![0]).toBe(total - 10); // belum_pernah
		expect(own.largestGaps).toHaveLength(10);
		expect(own.largestGaps!.every((g) => g.gap > 0 && g.state === 'belum_pernah')).toBe(true);
		// Villages keep no list (83,731 of them a day); their states are kept.
		expect(day.get(tps[0].code.slice(0, 10))!.largestGaps).toBeNull();

		await sync(tps[0].code, 150);
		expect(store.get(PROVINCE)!.verified).toBe(1_050);
		expect(await freezeEndedDays(ctx())).toEqual([]);
		const again = await snapshotsOn(database.db, [PROVINCE], '2026-02-14');
		expect(again.get(PROVINCE)!.verified).toBe(1_000);
		expect((await seriesOf(database.db, PROVINCE)).map((s) => s.date)).toEqual(['2026-02-14']);
	});

	it('refuses to change or delete a snapshot; a correction is a new row that says so', async () => {
		await expect(
			database.db.execute(
				sql`update daily_snapshots set verified = 0 where region_code = ${PROVINCE}`
			)
		).rejects.toThrow();
		await expect(
			database.db.execute(sql`delete from daily_snapshots where region_code = ${PROVINCE}`)
		).rejects.toThrow();
		const written = await freezeDay(
			ctx(),
			ZONES.WITA,
			'2026-02-14',
			'dibekukan ulang setelah gangguan'
		);
		expect(written).toBeGreaterThan(0);
		const corrected = await snapshotsOn(database.db, [PROVINCE], '2026-02-14');
		expect(corrected.get(PROVINCE)).toMatchObject({
			verified: 1_050,
			reason: 'dibekukan ulang setelah gangguan'
		});
		const [{ n }] = await rows<{ n: number }>(
			database.db,
			sql`select count(*)::int as n from daily_snapshots
				where region_code = ${PROVINCE} and date = '2026-02-14' and corrects_id is not null`
		);
		expect(n).toBe(1);
	});

	it('a region behind target opens exactly one alert at the check hour and closes it when it recovers', async () => {
		// Day 4 in Gorontalo: the target is 4/30 = 13.3%; almost nothing is verified.
		now = at('2026-02-15T14:00:00');
		await alerts.evaluate();
		const behind = () =>
			rows<{ subject: string; status: string }>(
				database.db,
				sql`select subject_code as subject, status from alerts where rule = 'behind_target' order by id`
			);
		expect(await behind()).toEqual([]);
		now = at('2026-02-15T15:00:00');
		await alerts.evaluate();
		await alerts.evaluate();
		const district = tps[0].code.slice(0, 6);
		const open = await behind();
		expect(open.filter((a) => a.subject === district)).toEqual([
			{ subject: district, status: 'open' }
		]);
		expect(open.some((a) => a.subject === PROVINCE)).toBe(true);
		expect(new Set(open.map((a) => a.subject)).size).toBe(open.length);
		expect(changes.some((c) => c.rule === 'behind_target' && c.subject === district)).toBe(true);

		// The district catches up: its synced TPS reach their targets.
		for (const t of tps) if (t.code.startsWith(district)) await sync(t.code, t.target);
		await alerts.evaluate();
		const after = await behind();
		const districtNow = after.filter((a) => a.subject === district);
		expect(districtNow).toEqual([{ subject: district, status: 'resolved' }]);
		expect(after.filter((a) => a.subject === PROVINCE)).toEqual([
			{ subject: PROVINCE, status: 'open' }
		]);
	});

	it('silent Pantarlih: the ones never synced after day 2, once each', async () => {
		const [{ silent }] = await rows<{ silent: number }>(
			database.db,
			sql`select count(*)::int as silent from alerts where rule = 'silent_pantarlih' and status = 'open'`
		);
		const [{ never }] = await rows<{ never: number }>(
			database.db,
			sql`select count(*)::int as never from tps where last_sync_at is null`
		);
		expect(silent).toBe(never);
	});

	it('a decrease opens one data-quality alert; acknowledging needs a note and is audited', async () => {
		now = at('2026-02-15T16:00:00');
		const code = tps[20].code;
		// Each snapshot recorded later than the one before, with a lower count.
		await sync(code, 80, 10);
		await sync(code, 60, 5);
		await sync(code, 50, 0);
		const list = await rows<{ id: number; details: Record<string, string> }>(
			database.db,
			sql`select id, details from alerts where rule = 'data_quality' and subject_code = ${code}`
		);
		expect(list.length).toBe(1);
		expect(list[0].details.problems).toBe('decrease');
		const who: Actor = {
			role: 'coordinator',
			scope: code.slice(0, 4),
			userId: 1,
			email: 'koordinator@example.go.id'
		};
		await expect(alerts.act(who, list[0].id, 'acknowledge', '  ')).rejects.toThrow(
			expect.objectContaining({ problem: 'noteRequired' })
		);
		// Outside the actor's regency the alert does not exist for them.
		const neighbour = { ...who, scope: code.slice(0, 2) === '75' ? '7571' : '7501' };
		await expect(alerts.act(neighbour, list[0].id, 'acknowledge', 'ok')).rejects.toMatchObject({
			status: 404,
			problem: 'alertNotFound'
		});
		// Observers read; they never act.
		await expect(
			alerts.act({ ...who, role: 'observer' }, list[0].id, 'acknowledge', 'ok')
		).rejects.toBeInstanceOf(AppError);
		await alerts.act(who, list[0].id, 'acknowledge', 'sudah dihubungi, HP rusak');
		await alerts.act(who, list[0].id, 'resolve', '');
		const [row] = await rows<{ status: string; note: string }>(
			database.db,
			sql`select status, note from alerts where id = ${list[0].id}`
		);
		expect(row).toEqual({ status: 'resolved', note: 'sudah dihubungi, HP rusak' });
		const audited = await rows<{ action: string }>(
			database.db,
			sql`select action from audit_log where subject = ${`data_quality ${code}`} order by id`
		);
		expect(audited.map((a) => a.action)).toEqual(['alert.acknowledge', 'alert.resolve']);
	});

	it('the webhook gets every queued change, signed, oldest first; a hanging one never holds up ingestion', async () => {
		const received: { body: string; signature: string }[] = [];
		const receiver = http.createServer((req, res) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => {
				received.push({ body, signature: String(req.headers[SIGNATURE_HEADER]) });
				res.end('ok');
			});
		});
		await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
		const secret = 'a-shared-secret-of-kpu';
		// Every change of the tests above was written to the outbox with the change itself.
		const queued = await rows<{ id: number }>(
			database.db,
			sql`select id from webhook_outbox where delivered_at is null order by id`
		);
		expect(queued.length).toBeGreaterThan(0);
		expect(queued.length).toBe(changes.length);
		const good = new WebhookOutbox(
			database.db,
			`http://127.0.0.1:${(receiver.address() as AddressInfo).port}/alerts`,
			secret,
			() => {}
		);
		await good.poke();
		expect(await good.pending()).toBe(0);
		const delivered = received.flatMap(
			(r) => (JSON.parse(r.body) as { alerts: AlertEvent[] }).alerts
		);
		// In the order they happened, each once.
		expect(delivered).toEqual(changes);
		for (const r of received) {
			expect(r.signature).toBe(signature(secret, r.body));
			expect(r.signature).not.toBe(signature('another-secret-entirely', r.body));
		}
		await good.close();

		// A receiver that accepts connections and never answers.
		const hanging = http.createServer(() => {});
		await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
		const stuck = new WebhookOutbox(
			database.db,
			`http://127.0.0.1:${(hanging.address() as AddressInfo).port}/alerts`,
			secret,
			() => {}
		);
		now = at('2026-02-15T17:00:00');
		const code = tps[21].code;
		await sync(code, 90, 5);
		const delivering = stuck.poke();
		await sync(code, 10, 0);
		// Ingestion answered (sync asserts 200) while the delivery is still waiting.
		expect(await stuck.pending()).toBeGreaterThan(0);
		expect(stuck.delivered).toBe(0);
		hanging.closeAllConnections();
		await delivering;
		await stuck.close();
		await new Promise((resolve) => hanging.close(resolve));
		await new Promise((resolve) => receiver.close(resolve));
	});
});
