import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/lib/server/platform/db/client';
import {
	DeviceTokenCache,
	issueDeviceTokens,
	revokeDeviceTokens
} from '../../src/lib/server/ingest/device-tokens';
import {
	IngestService,
	MAX_BODY_BYTES,
	type IngestRequest
} from '../../src/lib/server/ingest/service';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';
import { checkpointTotals, heartbeatCount, rollupMismatches } from '../fixtures/recount';

// Gorontalo (75) is small: 3,539 TPS.
const PROVINCE = '75';
const NOW = Date.parse('2026-02-20T03:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();

describe('heartbeat ingestion', () => {
	let database: TestDatabase;
	let service: IngestService;
	const store = new RollupStore();
	const exact = async () => expect(await rollupMismatches(database.db, store.all())).toEqual([]);
	let tpsCodes: string[];
	let tokens: Map<string, string>;

	const post = (token: string | undefined, body: unknown, extra: Partial<IngestRequest> = {}) =>
		service.handle({
			method: 'POST',
			authorization: token === undefined ? undefined : `Bearer ${token}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(typeof body === 'string' ? body : JSON.stringify(body)),
			...extra
		});
	const hb = (tps: string, verified: number, minutes: number, extra: object = {}) => ({
		id: randomUUID(),
		tps,
		verified,
		recordedAt: at(minutes),
		...extra
	});
	const tpsRow = async (code: string) =>
		(
			await rows<{ verified: number; pending: number; last_sync_at: Date | null }>(
				database.db,
				sql`select verified, pending, last_sync_at from tps where code = ${code}`
			)
		)[0];

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: [PROVINCE] });
		tpsCodes = (
			await rows<{ code: string }>(database.db, sql`select code from tps order by code limit 40`)
		).map((r) => r.code);
		tokens = new Map(
			(await issueDeviceTokens(database.db, tpsCodes)).map((t) => [t.tpsCode, t.token])
		);
		await store.load(database.db);
		service = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => NOW,
			onCommitted: (result) => store.apply(result.deltas)
		});
	});
	afterAll(async () => {
		await service?.close();
		await database?.destroy();
	});

	it('accepts a sync, stores it, moves the TPS and every region above it', async () => {
		const tps = tpsCodes[0];
		const before = store.get(tps.slice(0, 4))!;
		const response = await post(tokens.get(tps), {
			heartbeats: [hb(tps, 40, -30, { pending: 3, app: '2.1.0', battery: 0.8 })]
		});
		expect(response).toMatchObject({
			status: 200,
			body: { accepted: 1, duplicates: 0, rejected: [] }
		});
		expect(await tpsRow(tps)).toMatchObject({ verified: 40, pending: 3 });
		const after = store.get(tps.slice(0, 4))!;
		expect(after.verified - before.verified).toBe(40);
		expect(after.tpsSynced - before.tpsSynced).toBe(1);
		expect(after.version).toBe(before.version + 1);
		await exact();
		await service.flushTokenUse();
		const [token] = await rows<{ used: boolean }>(
			database.db,
			sql`select last_used_at is not null as used from device_tokens
				where tps_code = ${tps} and revoked_at is null`
		);
		expect(token.used).toBe(true);
	});

	it('a replayed batch adds nothing and is counted as duplicates', async () => {
		const tps = tpsCodes[1];
		const batch = { heartbeats: [hb(tps, 10, -20), hb(tps, 20, -10)] };
		expect((await post(tokens.get(tps), batch)).body).toMatchObject({ accepted: 2, duplicates: 0 });
		const count = await heartbeatCount(database.db);
		expect((await post(tokens.get(tps), batch)).body).toMatchObject({ accepted: 0, duplicates: 2 });
		expect(await heartbeatCount(database.db)).toBe(count);
		expect((await tpsRow(tps)).verified).toBe(20);
	});

	it('the same batch sent 3 times at once is stored once', async () => {
		const tps = tpsCodes[2];
		const batch = { heartbeats: [hb(tps, 5, -9), hb(tps, 7, -8), hb(tps, 9, -7)] };
		const count = await heartbeatCount(database.db);
		const answers = await Promise.all([1, 2, 3].map(() => post(tokens.get(tps), batch)));
		const accepted = answers.map((a) => a.body.accepted as number);
		expect(accepted.reduce((a, b) => a + b)).toBe(3);
		expect(answers.map((a) => (a.body.accepted as number) + (a.body.duplicates as number))).toEqual(
			[3, 3, 3]
		);
		expect(await heartbeatCount(database.db)).toBe(count + 3);
		await exact();
	});

	it('rejects bad items one by one with a reason, keeping the good ones', async () => {
		const tps = tpsCodes[3];
		const other = tpsCodes[4];
		const items = [
			hb(tps, 12, -5),
			hb(other, 12, -5),
			hb('7599999999001', 1, -5),
			hb(tps, 13, 11),
			hb(tps, -1, -4),
			hb(tps, 999_999, -4)
		];
		const response = await post(tokens.get(tps), { heartbeats: items });
		expect(response.status).toBe(200);
		expect(response.body.accepted).toBe(1);
		const reasons = Object.fromEntries(
			(response.body.rejected as { id: string; error: string }[]).map((r) => [r.id, r.error])
		);
		expect(reasons[items[1].id]).toMatch(`TPS ${other} is not assigned to this device`);
		expect(reasons[items[2].id]).toMatch(/TPS 7599999999001 is not assigned/);
		expect(reasons[items[3].id]).toMatch(/more than 10 minutes in the future/);
		expect(reasons[items[4].id]).toMatch(/verified -1 is out of range/);
		expect(reasons[items[5].id]).toMatch(/verified 999999 is out of range/);
		expect((await tpsRow(other)).last_sync_at).toBeNull();
	});

	it('keeps a late older snapshot but does not move progress back; flags a decrease', async () => {
		const tps = tpsCodes[5];
		const token = tokens.get(tps);
		await post(token, { heartbeats: [hb(tps, 100, -10)] });
		await post(token, { heartbeats: [hb(tps, 60, -20)] });
		expect((await tpsRow(tps)).verified).toBe(100);
		const lower = hb(tps, 90, -5);
		await post(token, { heartbeats: [lower] });
		expect((await tpsRow(tps)).verified).toBe(90);
		const [stored] = await rows<{ flags: string }>(
			database.db,
			sql`select flags from heartbeat_flags where heartbeat_id = ${lower.id}`
		);
		expect(stored.flags).toBe('decrease');
		await exact();
	});

	describe('whole-request errors change nothing', () => {
		const tps = () => tpsCodes[6];
		let count: number;
		beforeAll(async () => {
			count = await heartbeatCount(database.db);
		});
		afterAll(async () => {
			expect(await heartbeatCount(database.db)).toBe(count);
			expect((await tpsRow(tps())).last_sync_at).toBeNull();
		});

		it.each([
			['no token', undefined, 401, /missing device token/],
			['an unknown token', 'pcd_nosuchtoken', 401, /unknown or revoked/]
		])('%s: 401', async (_name, token, status, message) => {
			const response = await post(token, { heartbeats: [hb(tps(), 1, -1)] });
			expect(response.status).toBe(status);
			expect(response.body.error).toMatch(message);
		});

		it('malformed JSON: 400', async () => {
			const response = await post(tokens.get(tps()), '{"heartbeats": [');
			expect(response).toMatchObject({
				status: 400,
				body: { error: 'the body is not valid JSON' }
			});
		});

		it('a wrong shape: 400 naming the field', async () => {
			const response = await post(tokens.get(tps()), {
				heartbeats: [{ ...hb(tps(), 1, -1), verified: 'x' }]
			});
			expect(response.status).toBe(400);
			expect(response.body.error).toMatch(/^heartbeats\[0\]\.verified: /);
		});

		it('invalid UTF-8: 400', async () => {
			const response = await post(tokens.get(tps()), '', {
				body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])
			});
			expect(response).toMatchObject({
				status: 400,
				body: { error: 'the body is not valid UTF-8' }
			});
		});

		it('not JSON: 415', async () => {
			const response = await post(
				tokens.get(tps()),
				{ heartbeats: [hb(tps(), 1, -1)] },
				{
					contentType: 'text/plain'
				}
			);
			expect(response.status).toBe(415);
		});

		it('too large: 413', async () => {
			const response = await post(tokens.get(tps()), 'x', {
				body: new Uint8Array(MAX_BODY_BYTES + 1),
				tooLarge: true
			});
			expect(response.status).toBe(413);
		});

		it('a revoked token: 401', async () => {
			const [fresh] = await issueDeviceTokens(database.db, [tps()]);
			await revokeDeviceTokens(database.db, tps());
			const response = await post(fresh.token, { heartbeats: [hb(tps(), 1, -1)] });
			expect(response).toMatchObject({
				status: 401,
				body: { error: 'unknown or revoked device token' }
			});
			tokens.set(tps(), (await issueDeviceTokens(database.db, [tps()]))[0].token);
		});

		it('over the rate of its token: 429 with Retry-After', async () => {
			const strict = new IngestService(database.db, {
				tokenCacheMs: 0,
				ratePerMinute: 2,
				now: () => NOW
			});
			const token = tokens.get(tps());
			const bad = { heartbeats: [{ ...hb(tps(), 1, -1), verified: 'x' }] };
			expect((await strict.handle(request(token, bad))).status).toBe(400);
			expect((await strict.handle(request(token, bad))).status).toBe(400);
			const limited = await strict.handle(request(token, { heartbeats: [hb(tps(), 1, -1)] }));
			expect(limited.status).toBe(429);
			expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
			await strict.close();
		});
	});

	it('the token cache keeps at most its bound, oldest out first, and still answers', async () => {
		const cache = new DeviceTokenCache(database.db, 60_000, 10);
		const codes = tpsCodes.slice(0, 25);
		const found = await Promise.all(codes.map((code) => cache.lookup(tokens.get(code)!)));
		expect(found.map((identity) => identity?.tpsCode)).toEqual(codes);
		expect(cache.size).toBe(10);
		// An evicted token is looked up again, not refused.
		expect((await cache.lookup(tokens.get(codes[0])!))?.tpsCode).toBe(codes[0]);
		expect(cache.size).toBe(10);
	});

	it('a token revoked by plain SQL is forgotten by the cache at once; last-used updates announce nothing', async () => {
		const cache = new DeviceTokenCache(database.db, 3_600_000);
		const stop = await cache.followDatabase(database.sql);
		const heard: string[] = [];
		const { unlisten } = await database.sql.listen('device_tokens_revoked', (tps) =>
			heard.push(tps)
		);
		try {
			// Two TPS of their own: the other tests keep using theirs.
			const others = await rows<{ code: string }>(
				database.db,
				sql`select code from tps order by code offset 100 limit 2`
			);
			const issued = await issueDeviceTokens(
				database.db,
				others.map((o) => o.code)
			);
			const [kept, revoked] = issued.map((t) => t.tpsCode);
			const token = new Map(issued.map((t) => [t.tpsCode, t.token]));
			expect((await cache.lookup(token.get(kept)!))?.tpsCode).toBe(kept);
			expect((await cache.lookup(token.get(revoked)!))?.tpsCode).toBe(revoked);
			await database.sql`update device_tokens set last_used_at = now() where tps_code = ${kept}`;
			await database.sql`update device_tokens set revoked_at = now()
				where tps_code = ${revoked} and revoked_at is null`;
			await expect.poll(() => heard).toEqual([revoked]);
			await new Promise((resolve) => setImmediate(resolve));
			expect(await cache.lookup(token.get(revoked)!)).toBeNull();
			expect((await cache.lookup(token.get(kept)!))?.tpsCode).toBe(kept);
		} finally {
			await unlisten();
			await stop();
		}
	});

	it('10,000 random heartbeats with duplicates, reordering and decreases: roll-ups equal a recount', async () => {
		let state = 12345;
		const random = () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
		const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)];
		const codes = tpsCodes.slice(10, 40);
		const sent: { tps: string; body: { heartbeats: object[] } }[] = [];
		let total = 0;
		while (total < 10_000) {
			const tps = pick(codes);
			const size = 1 + Math.floor(random() * 40);
			const items = Array.from({ length: size }, () =>
				hb(tps, Math.floor(random() * 320), -Math.floor(random() * 600))
			);
			sent.push({ tps, body: { heartbeats: items } });
			total += size;
			// Some batches are re-sent later: a phone that missed the answer.
			if (random() < 0.15) sent.push(sent[Math.floor(random() * sent.length)]);
		}
		const before = await heartbeatCount(database.db);
		const unique = new Set(
			sent.flatMap((s) => s.body.heartbeats.map((h) => (h as { id: string }).id))
		);
		let accepted = 0;
		for (let i = 0; i < sent.length; i += 8) {
			const answers = await Promise.all(
				sent.slice(i, i + 8).map((s) => post(tokens.get(s.tps), s.body))
			);
			for (const answer of answers) {
				expect(answer.status).toBe(200);
				accepted += answer.body.accepted as number;
			}
		}
		expect(accepted).toBe(unique.size);
		expect(await heartbeatCount(database.db)).toBe(before + unique.size);
		await exact();
		// Each TPS shows its latest recorded snapshot (ties: larger verified).
		const [wrong] = await rows<{ n: number }>(
			database.db,
			sql`select count(*)::int as n from tps t
				where t.recorded_at is not null and t.verified <> (
					select h.verified from heartbeats h where h.tps_code = t.code
					order by h.recorded_at desc, h.verified desc limit 1)`
		);
		expect(wrong.n).toBe(0);
	});

	it('the recount check notices a wrong roll-up, and a reload from the TPS table repairs it', async () => {
		const district = tpsCodes[0].slice(0, 6);
		store.apply(new Map([[district, { verified: 1, target: 0, tpsSynced: 0, tpsComplete: 0 }]]));
		expect((await rollupMismatches(database.db, store.all())).map((m) => m.code)).toEqual([
			district
		]);
		await store.load(database.db);
		await exact();
	});

	it('a checkpoint writes the live totals into region_progress', async () => {
		await store.checkpoint(database.db);
		const stored = await checkpointTotals(database.db);
		expect(stored).toHaveLength(store.size);
		expect(await rollupMismatches(database.db, stored)).toEqual([]);
	});

	it('answers 503 with Retry-After when the database is gone', async () => {
		const other = await createTestDatabase();
		await seed(other, { provinces: [PROVINCE] });
		const [issued] = await issueDeviceTokens(other.db, [tpsCodes[0]]);
		const doomed = new IngestService(other.db, {
			tokenCacheMs: 60_000,
			ratePerMinute: 1_000,
			now: () => NOW
		});
		// A first request caches the token; then the database goes away.
		expect(
			(await doomed.handle(request(issued.token, { heartbeats: [hb(tpsCodes[0], 1, -1)] }))).status
		).toBe(200);
		await other.close();
		const response = await doomed.handle(
			request(issued.token, { heartbeats: [hb(tpsCodes[0], 2, -1)] })
		);
		expect(response.status).toBe(503);
		expect(response.headers['retry-after']).toBe('5');
		expect(response.body.error).toMatch(/nothing from this request was stored/);
		await doomed.close();
		await other.destroy().catch(() => {});
	});

	function request(token: string | undefined, body: unknown): IngestRequest {
		return {
			method: 'POST',
			authorization: `Bearer ${token}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(JSON.stringify(body))
		};
	}
});
