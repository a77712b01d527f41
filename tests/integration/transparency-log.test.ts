/**
 * The transparency log on a real database: indexes in the sync answer, the id conflict on every
 * path, the tree and its signed checkpoints against a rebuild from the stored rows, receipts and
 * consistency proofs checked offline, a commit never sequenced caught up, two processes at once.
 */
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalLine } from '../../src/lib/domain/evidence';
import {
	allTiles,
	leafHash,
	parseHashLines,
	tileReader,
	treeRoot,
	verifyConsistency
} from '../../src/lib/domain/merkle';
import {
	checkReceipt,
	newSigner,
	parseCheckpoint,
	parseNote,
	parseVerifier,
	verifyNote
} from '../../src/lib/domain/note';
import {
	advanceLog,
	checkpointOf,
	dayNotes,
	registerKey,
	signFrozenDays
} from '../../src/lib/server/evidence/checkpoints';
import { evidenceColumns, evidenceRow, type EvidenceRaw } from '../../src/lib/server/evidence/day';
import {
	consistencyText,
	keysText,
	receipt,
	tileBytes
} from '../../src/lib/server/evidence/log-api';
import { head, sequenceLegacy } from '../../src/lib/server/evidence/tree';
import { verifyLogDay } from '../../src/lib/server/evidence/log-verify';
import { openDatabase, rows, type DatabaseHandle } from '../../src/lib/server/platform/db/client';
import { commitBatch } from '../../src/lib/server/ingest/commit';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { IngestService } from '../../src/lib/server/ingest/service';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const NOW = Date.parse('2026-02-20T03:00:00Z');
const at = (minutes: number) => new Date(NOW + minutes * 60_000).toISOString();
const signer = newSigner('pantau.test/log', 0x01, new Uint8Array(32).fill(7));
const logKey = parseVerifier(signer.text);

interface Answer {
	accepted: number;
	duplicates: number;
	rejected: { id: string; error: string; reason?: string }[];
	logIndexes: Record<string, number | null>;
}

describe('the transparency log', () => {
	let database: TestDatabase;
	let service: IngestService;
	let tps: string[];
	let tokens: Map<string, string>;
	let now = NOW;

	const post = async (code: string, items: object[]) => {
		const response = await service.handle({
			method: 'POST',
			authorization: `Bearer ${tokens.get(code)}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(JSON.stringify({ heartbeats: items }))
		});
		expect(response.status).toBe(200);
		return response.body as unknown as Answer;
	};
	const hb = (code: string, verified: number, minutes: number, extra: object = {}) => ({
		id: randomUUID(),
		tps: code,
		verified,
		recordedAt: at(minutes),
		...extra
	});
	const stored = async (id: string) =>
		(
			await rows<{ n: number }>(
				database.db,
				sql`select count(*)::int as n from heartbeats where id = ${id}::uuid`
			)
		)[0].n;
	/** The tree rebuilt from the stored rows, each leaf at its log index. */
	const rebuilt = async () => {
		const found = await rows<EvidenceRaw & { log_index: string }>(
			database.db,
			sql`select ${evidenceColumns}, l.log_index from heartbeats
				join heartbeat_log l on l.id = heartbeats.id and l.recorded_at = heartbeats.recorded_at
				where l.log_index is not null order by l.log_index`
		);
		found.forEach((r, i) => expect(Number(r.log_index)).toBe(i));
		return found.map((r) => leafHash(canonicalLine(evidenceRow(r))));
	};

	/** The signed root is the root of a tree built at once over `leaves`. */
	const expectRootOf = (signed: { root: Uint8Array }, leaves: Uint8Array[]) =>
		expect(Buffer.from(signed.root).toString('hex')).toBe(
			Buffer.from(treeRoot(tileReader(allTiles(leaves)), leaves.length)).toString('hex')
		);

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		await database.db.execute(
			sql`update campaigns set first_day = '2026-02-12', last_day = '2026-03-13'`
		);
		tps = (
			await rows<{ code: string }>(database.db, sql`select code from tps order by code limit 12`)
		).map((r) => r.code);
		tokens = new Map((await issueDeviceTokens(database.db, tps)).map((t) => [t.tpsCode, t.token]));
		await database.db.execute(
			sql`insert into log_keys (verifier, first_size) values (${signer.text}, 0)`
		);
		service = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now
		});
	});
	afterAll(async () => {
		await service?.close();
		await database?.destroy();
	});

	it("tells the phone each heartbeat's index, and a re-send its first one", async () => {
		const items = [hb(tps[0], 10, -30), hb(tps[0], 20, -20), hb(tps[0], 30, -10)];
		const first = await post(tps[0], items);
		expect(first).toMatchObject({ accepted: 3, duplicates: 0, rejected: [] });
		const indexes = items.map((i) => first.logIndexes[i.id]);
		expect(indexes).toEqual([0, 1, 2]);
		const again = await post(tps[0], [items[1], hb(tps[0], 40, -5)]);
		expect(again).toMatchObject({ accepted: 1, duplicates: 1 });
		expect(again.logIndexes[items[1].id]).toBe(1);
		expect(Object.values(again.logIndexes).sort()).toEqual([1, 3]);
	});

	it('refuses the same id with other content on every path, keeping the other items', async () => {
		const code = tps[1];
		const original = hb(code, 12, -60, { battery: 0.5 });
		expect(await post(code, [original])).toMatchObject({ accepted: 1 });
		// Single: another recorded time (another day partition), another count, another battery.
		for (const changed of [
			{ ...original, recordedAt: at(-60 * 24 * 5) },
			{ ...original, verified: 13 },
			{ ...original, battery: 0.6 }
		]) {
			const good = hb(code, 14, -50);
			const answer = await post(code, [changed, good]);
			expect(answer).toMatchObject({ accepted: 1, duplicates: 0 });
			expect(answer.rejected).toEqual([
				{ id: original.id, error: expect.stringMatching(/other content/), reason: 'idConflict' }
			]);
			expect(answer.logIndexes[original.id]).toBeUndefined();
		}
		// Within one batch: the first is taken, the second refused.
		const twin = hb(code, 15, -40);
		const batch = await post(code, [twin, { ...twin, verified: 16 }]);
		expect(batch).toMatchObject({ accepted: 1, duplicates: 0 });
		expect(batch.rejected.map((r) => r.reason)).toEqual(['idConflict']);
		// A backlog days later, from a new day: still refused, still stored once.
		now = NOW + 6 * 86_400_000;
		const late = await post(code, [{ ...original, pending: 4 }]);
		now = NOW;
		expect(late.rejected.map((r) => r.reason)).toEqual(['idConflict']);
		expect(await stored(original.id)).toBe(1);
		expect(await stored(twin.id)).toBe(1);
	});

	it('grows a tree equal to one rebuilt from the rows, and signs it', async () => {
		const signed = (await advanceLog(database.db, signer))!;
		const leaves = await rebuilt();
		expect(signed.treeSize).toBe(leaves.length);
		expectRootOf(signed, leaves);
		const note = parseNote(signed.note);
		expect(verifyNote(note, logKey)).toBe(true);
		expect(parseCheckpoint(note.text)).toMatchObject({
			origin: 'pantau.test/log',
			size: leaves.length
		});
		// Nothing new: no new checkpoint.
		expect(await advanceLog(database.db, signer)).toBeNull();
	});

	it('gives receipts that verify offline to the phone and to readers in scope, and 404 to others', async () => {
		const item = hb(tps[2], 33, -15);
		const { logIndexes } = await post(tps[2], [item]);
		await expect(receipt(database.db, item.id, { deviceToken: 0 })).rejects.toMatchObject({
			problem: 'receiptNotFound'
		});
		const [{ id: token }] = await rows<{ id: number }>(
			database.db,
			sql`select id from device_tokens where tps_code = ${tps[2]} and revoked_at is null`
		);
		await expect(receipt(database.db, item.id, { deviceToken: token })).rejects.toMatchObject({
			problem: 'receiptNotYet'
		});
		await advanceLog(database.db, signer);
		const text = await receipt(database.db, item.id, { deviceToken: token });
		const check = checkReceipt(text, logKey);
		expect(check).toMatchObject({ ok: true, index: logIndexes[item.id] });
		expect(check.ok && JSON.parse(check.line!)).toMatchObject({ id: item.id, verified: 33 });
		const reader = await receipt(database.db, item.id, {
			viewer: { role: 'observer', scope: '75' }
		});
		expect(checkReceipt(reader, logKey).ok).toBe(true);
		await expect(
			receipt(database.db, item.id, { viewer: { role: 'observer', scope: '11' } })
		).rejects.toMatchObject({ problem: 'receiptNotFound' });
		await expect(
			receipt(database.db, 'not-a-uuid', { viewer: { role: 'admin', scope: 'id' } })
		).rejects.toMatchObject({ problem: 'receiptNotFound' });
		// A changed line, another key: refused with a reason.
		const forged =
			JSON.stringify({ ...JSON.parse(check.ok ? check.line! : '{}'), verified: 34 }) + '\n';
		expect(checkReceipt(text, logKey, forged)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/not at index/)
		});
		const other = parseVerifier(
			newSigner('pantau.test/log', 0x01, new Uint8Array(32).fill(8)).text
		);
		expect(checkReceipt(text, other)).toMatchObject({
			ok: false,
			reason: expect.stringMatching(/not signed/)
		});
	});

	it('proves each checkpoint consistent with the next, and serves tiles of the signed tree only', async () => {
		const earlier = (await checkpointOf(database.db))!;
		await post(tps[3], [hb(tps[3], 1, -3), hb(tps[3], 2, -2)]);
		const later = (await advanceLog(database.db, signer))!;
		const proof = parseHashLines(
			await consistencyText(database.db, String(earlier.treeSize), String(later.treeSize))
		);
		expect(
			verifyConsistency(earlier.treeSize, later.treeSize, proof, earlier.root, later.root)
		).toBe(true);
		await expect(consistencyText(database.db, '5', '4')).rejects.toMatchObject({
			problem: 'logSizes'
		});
		await expect(
			consistencyText(database.db, '0', String(later.treeSize + 1))
		).rejects.toMatchObject({ problem: 'logSizes' });
		const { bytes, full } = await tileBytes(database.db, `tile/0/000.p/${later.treeSize}`);
		expect(full).toBe(false);
		expect(bytes.length).toBe(32 * later.treeSize);
		await expect(tileBytes(database.db, 'tile/0/000')).rejects.toMatchObject({
			problem: 'tileNotFound'
		});
		await expect(tileBytes(database.db, 'tile/0/../etc')).rejects.toMatchObject({
			problem: 'badTile'
		});
	});

	it('a commit whose process died before integrating it: the next integration takes it up, nothing lost', async () => {
		const [device] = await rows<{ tokenId: number; pantarlihId: number; tpsCode: string }>(
			database.db,
			sql`select id as "tokenId", pantarlih_id as "pantarlihId", tps_code as "tpsCode"
				from device_tokens where tps_code = ${tps[4]} and revoked_at is null`
		);
		const items = [1, 2, 3].map((v) => ({
			id: randomUUID(),
			tps: tps[4],
			verified: v,
			tms: 0,
			newVoters: 0,
			pending: 0,
			recordedAt: NOW - v * 1000,
			app: v === 1 ? '2.4.1' : null,
			// Levels a float4 cannot hold exactly: the leaf is of the value as stored.
			battery: v === 2 ? 0.123456789 : null,
			lat: v === 3 ? -0.5412345678 : null,
			lng: v === 3 ? 123.0612345678 : null
		}));
		const before = await head(database.db);
		// The commit only: the process "dies" before any integration or checkpoint.
		const result = await commitBatch(database.db, [{ device, items }], new Date(NOW));
		expect(Object.values(result.results[0].logIndexes).sort()).toEqual([
			before.size,
			before.size + 1,
			before.size + 2
		]);
		const signed = (await advanceLog(database.db, signer))!;
		expect(signed.treeSize).toBe(before.size + 3);
		const leaves = await rebuilt();
		expect(leaves.length).toBe(signed.treeSize);
		expectRootOf(signed, leaves);
	});

	it('heartbeats stored before the log existed take their places, in receive order, once', async () => {
		const [device] = await rows<{ token: number; pantarlih: number }>(
			database.db,
			sql`select id as token, pantarlih_id as pantarlih from device_tokens where tps_code = ${tps[4]} and revoked_at is null`
		);
		const ids = [randomUUID(), randomUUID()];
		for (const [k, id] of ids.entries()) {
			// As the migration leaves them: stored, registered, without an index.
			const at = new Date(NOW - 3_600_000 + k * 1000).toISOString();
			await database.db
				.execute(sql`insert into heartbeats (id, tps_code, pantarlih_id, device_token_id,
				verified, tms, new_voters, pending, recorded_at, received_at)
				values (${id}::uuid, ${tps[4]}, ${device.pantarlih}, ${device.token}, ${k}, 0, 0, 0, ${at}::timestamptz, ${at}::timestamptz)`);
			await database.db
				.execute(sql`insert into heartbeat_log (id, content, tps_code, device_token_id, recorded_at)
				select id, heartbeat_content(tps_code, recorded_at, verified, tms, new_voters, pending, app, battery, lat, lng),
					tps_code, device_token_id, recorded_at from heartbeats where id = ${id}::uuid`);
		}
		const before = await head(database.db);
		expect(await sequenceLegacy(database.db)).toBe(2);
		expect(await sequenceLegacy(database.db)).toBe(0);
		const signed = (await advanceLog(database.db, signer))!;
		expect(signed.treeSize).toBe(before.size + 2);
		const leaves = await rebuilt();
		expectRootOf(signed, leaves);
		const again = await post(tps[4], [hb(tps[4], 9, -1)]);
		expect(again.accepted).toBe(1);
		expect(Object.values(again.logIndexes)).toEqual([before.size + 2]);
	});

	it('two processes appending at once make one tree with every heartbeat once', async () => {
		const other: DatabaseHandle = await openDatabase({ databaseUrl: database.url, poolSize: 4 });
		const second = new IngestService(other.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now,
			concurrency: 2
		});
		const first = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now,
			concurrency: 2
		});
		try {
			const start = await head(database.db);
			const sends: Promise<unknown>[] = [];
			for (let k = 0; k < 40; k++) {
				const code = tps[5 + (k % 7)];
				const items = Array.from({ length: 25 }, (_, j) => hb(code, k * 25 + j, -100 + j));
				const via = k % 2 === 0 ? first : second;
				sends.push(
					via.handle({
						method: 'POST',
						authorization: `Bearer ${tokens.get(code)}`,
						contentType: 'application/json',
						body: new TextEncoder().encode(JSON.stringify({ heartbeats: items }))
					})
				);
			}
			const answers = (await Promise.all(sends)) as { status: number; body: Answer }[];
			expect(answers.every((a) => a.status === 200 && a.body.accepted === 25)).toBe(true);
			const given = answers
				.flatMap((a) => Object.values(a.body.logIndexes))
				.sort((a, b) => a! - b!);
			expect(given).toEqual(Array.from({ length: 1000 }, (_, i) => start.size + i));
			const signed = (await advanceLog(other.db, signer))!;
			const leaves = await rebuilt();
			expect(signed.treeSize).toBe(leaves.length);
			expectRootOf(signed, leaves);
		} finally {
			await first.close();
			await second.close();
			await other.close();
		}
	});

	it('rotates its key: the new one signs from the size it starts at, the old one stays listed', async () => {
		const before = (await advanceLog(database.db, signer)) ?? (await checkpointOf(database.db))!;
		const next = newSigner('pantau.test/log', 0x01, new Uint8Array(32).fill(9));
		await registerKey(database.db, next);
		const { keys } = await keysText(database.db);
		expect(keys).toEqual([
			{ verifier: signer.text, firstSize: 0 },
			{ verifier: next.text, firstSize: before.treeSize }
		]);
		const item = hb(tps[7], 3, -2);
		await post(tps[7], [item]);
		const after = (await advanceLog(database.db, next))!;
		expect(verifyNote(parseNote(after.note), parseVerifier(next.text))).toBe(true);
		expect(verifyNote(parseNote(after.note), logKey)).toBe(false);
		// The old checkpoint still verifies with the old key, and the new tree extends it.
		expect(verifyNote(parseNote(before.note), logKey)).toBe(true);
		const proof = parseHashLines(
			await consistencyText(database.db, String(before.treeSize), String(after.treeSize))
		);
		expect(verifyConsistency(before.treeSize, after.treeSize, proof, before.root, after.root)).toBe(
			true
		);
		const [{ id: token }] = await rows<{ id: number }>(
			database.db,
			sql`select id from device_tokens where tps_code = ${tps[7]} and revoked_at is null`
		);
		const text = await receipt(database.db, item.id, { deviceToken: token });
		expect(checkReceipt(text, parseVerifier(next.text)).ok).toBe(true);
	});

	it("fingerprints what a phone sent as the database's heartbeat_content() does, for any values", async () => {
		const code = tps[6];
		const odd = [
			hb(code, 0, -9, { app: 'é✓ 2.1', battery: 1e-7, lat: -90, lng: 180 }),
			hb(code, 5000, -8, { app: '', battery: 0.3333333, lat: 1e-10, lng: -1e-10 }),
			hb(code, 7, -7, { tms: 2, newVoters: 3, pending: 4 }),
			// Halfway between two float4s (rounded once, as stored), and a negative zero.
			hb(code, 8, -6, { battery: 0.5000000298023224, lat: -0, lng: 0 })
		];
		expect((await post(code, odd)).accepted).toBe(4);
		const [{ differ, total }] = await rows<{ differ: number; total: number }>(
			database.db,
			sql`select count(*) filter (where l.content <> heartbeat_content(h.tps_code, h.recorded_at, h.verified,
					h.tms, h.new_voters, h.pending, h.app, h.battery, h.lat, h.lng))::int as differ, count(*)::int as total
				from heartbeat_log l join heartbeats h on h.id = l.id and h.recorded_at = l.recorded_at`
		);
		expect(total).toBeGreaterThan(1000);
		expect(differ).toBe(0);
	});

	it("binds each zone's frozen day into the log with a signed note, and names a day swapped after", async () => {
		const day = '2026-02-20';
		const frozen = (digest: string, correcting = false) =>
			database.db.execute(sql`insert into daily_snapshots (region_code, date, verified, target, tps,
				tps_synced, tps_synced_today, tps_complete, silent_pantarlih, target_share, taken_at, heartbeats,
				digest, reason, corrects_id)
				select '75', ${day}, 1, 2, 3, 1, 1, 0, 0, 0.1, now(), 7, ${digest},
					${correcting ? 'swapped' : null},
					${correcting ? sql`(select min(id) from daily_snapshots where region_code = '75' and date = ${day})` : sql`null`}`);
		await frozen('a'.repeat(64));
		await advanceLog(database.db, signer);
		expect(await signFrozenDays(database.db, signer)).toEqual([`WITA ${day}`]);
		const notes = await dayNotes(database.db, day);
		expect(notes.map((n) => n.zone)).toEqual(['WITA']);
		const note = parseNote(notes[0].note);
		expect(verifyNote(note, logKey)).toBe(true);
		expect(note.text.split('\n')[1]).toBe(`frozen WITA ${day}`);
		expect((await verifyLogDay(database.db, day, [logKey])).days).toEqual([
			{ zone: 'WITA', ok: true }
		]);
		// A "correction" written behind the application's back: the signed note no longer agrees.
		await frozen('b'.repeat(64), true);
		const [check] = (await verifyLogDay(database.db, day, [logKey])).days;
		expect(check).toMatchObject({
			zone: 'WITA',
			ok: false,
			reason: expect.stringMatching(/signed note/)
		});
	});

	it("names a heartbeat changed or deleted behind the application's back, by index, TPS and day", async () => {
		await advanceLog(database.db, signer);
		const day = '2026-02-20';
		expect(await verifyLogDay(database.db, day, [logKey])).toMatchObject({ problems: [] });
		const [victim] = await rows<{ id: string; log_index: string; tps_code: string }>(
			database.db,
			sql`select id::text, log_index, tps_code from heartbeat_log where tps_code = ${tps[0]} order by log_index limit 1`
		);
		// As a superuser would: triggers off, the row rewritten.
		await database.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(
				sql`update heartbeats set verified = verified + 100 where id = ${victim.id}::uuid`
			);
		});
		const changed = await verifyLogDay(database.db, day, [logKey]);
		expect(changed.problems).toEqual([
			{ kind: 'changed', index: Number(victim.log_index), tps: victim.tps_code, id: victim.id, day }
		]);
		await database.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(sql`delete from heartbeats where id = ${victim.id}::uuid`);
		});
		const deleted = await verifyLogDay(database.db, day, [logKey]);
		expect(deleted.problems).toEqual([
			{ kind: 'missing', index: Number(victim.log_index), tps: victim.tps_code, id: victim.id, day }
		]);
		// The tree itself rewritten: its root no longer matches the signed checkpoint.
		await database.db.transaction(async (tx) => {
			await tx.execute(sql`set local session_replication_role = replica`);
			await tx.execute(
				sql`update log_tiles set hashes = overlay(hashes placing '\\x00'::bytea from 1 for 1) where level = 0 and idx = 0`
			);
		});
		const tree = await verifyLogDay(database.db, day, [logKey]);
		expect(tree.tree).toMatchObject({ ok: false });
	});
});
