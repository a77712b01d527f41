/**
 * One group commit is one transaction of two statements. The first runs beside other commits: it
 * tells each id's re-sends (same content as registered) and conflicts (other content) from new
 * heartbeats, stores the new ones (a re-sent one only noted in heartbeat_resends), locks their
 * TPS rows in code order, moves each TPS to its winning snapshot and returns every touched TPS's
 * state from before, with the heartbeats it stored. The second, short one (`register`) takes the
 * transparency log's head row lock, held to the commit's end, and gives the new heartbeats the
 * next log indexes, registering each id with its content's fingerprint and appending its leaf to
 * the level-0 tiles. The caller then applies the pure maths (domain/coverage.ts) to the rows: the
 * same winning rule (`supersedes`), the data-quality flags and the region deltas. No request is
 * answered before the transaction has committed.
 */
import { sql } from 'drizzle-orm';
import { applySnapshots, rollUp, type Snapshot, type TpsProgress } from '../../domain/coverage';
import { canonicalLine } from '../../domain/evidence';
import { contentFingerprint, type HeartbeatItem } from '../../domain/heartbeat';
import { leafHash, TILE_WIDTH } from '../../domain/merkle';
import { preparedRows, type Database } from '../platform/db/client';
import { epochMs } from '../platform/db/sql';
import type { BatchResult, RequestResult, ServerEvents } from '../platform/events';
import type { DeviceIdentity } from './device-tokens';

export interface PendingRequest {
	device: DeviceIdentity;
	items: HeartbeatItem[];
}

/** A touched TPS before the commit: code, target, verified, tms, newVoters, pending, recordedAt, heartbeatId. */
type BeforeRow = [string, number, number, number, number, number, number | null, string | null];
/** A heartbeat stored: tps, verified, tms, newVoters, pending, recordedAt, id. */
type StoredRow = [string, number, number, number, number, number, string];

const json = (value: unknown) => sql`${JSON.stringify(value)}::json`;

/**
 * A float4 as PostgreSQL writes it back (the shortest text that reads back as the same float4),
 * as a number: what the evidence's canonical line holds for a stored battery level.
 */
export function asFloat4(value: number): number {
	const single = Math.fround(value);
	for (let digits = 1; digits <= 9; digits++) {
		const shortest = Number(single.toPrecision(digits));
		if (Math.fround(shortest) === single) return shortest;
	}
	return single;
}

/** A heartbeat's leaf hash (hex) as it will be stored: the evidence's canonical line of its row. */
function leafOf(item: HeartbeatItem, device: DeviceIdentity, receivedAt: number): string {
	const line = canonicalLine({
		id: item.id,
		tps: item.tps,
		recordedAt: item.recordedAt,
		receivedAt,
		verified: item.verified,
		tms: item.tms,
		newVoters: item.newVoters,
		pending: item.pending,
		app: item.app,
		battery: item.battery === null ? null : asFloat4(item.battery),
		lat: item.lat,
		lng: item.lng,
		deviceToken: device.tokenId
	});
	return Buffer.from(leafHash(line)).toString('hex');
}

export function commitBatch(
	db: Database,
	requests: readonly PendingRequest[],
	receivedAt = new Date()
): Promise<BatchResult> {
	return db.transaction((tx) => commitIn(tx, requests, receivedAt));
}

/**
 * Two ids registered at once by two commits (a phone's retry while its first send is still being
 * committed): the second commit rolls back and runs again, and then sees the first.
 */
export class IdRaceError extends Error {
	override name = 'IdRaceError';
}

async function commitIn(
	db: Database,
	requests: readonly PendingRequest[],
	receivedAt: Date
): Promise<BatchResult> {
	// The first occurrence of an id in the batch is the one that may be accepted; later ones in
	// the same batch are re-sends already, or conflicts if their content differs.
	const candidates: { item: HeartbeatItem; device: DeviceIdentity; request: number }[] = [];
	const repeats: { id: string; token: number; request: number }[] = [];
	const inBatchConflicts: { id: string; request: number }[] = [];
	const firstContent = new Map<string, string>();
	requests.forEach((request, index) => {
		for (const item of request.items) {
			const content = contentFingerprint(item).toString('hex');
			const first = firstContent.get(item.id);
			if (first === undefined) {
				firstContent.set(item.id, content);
				candidates.push({ item, device: request.device, request: index });
			} else if (first === content) {
				repeats.push({ id: item.id, token: request.device.tokenId, request: index });
			} else inBatchConflicts.push({ id: item.id, request: index });
		}
	});
	const now = receivedAt.toISOString();

	const returned = await preparedRows<{ tps: string; hb: string; prior: string }>(
		db,
		sql`with x as (
				select * from json_to_recordset(${json(
					candidates.map(({ item, device }) => ({
						id: item.id,
						content: contentFingerprint(item).toString('hex'),
						tps: item.tps,
						pantarlih: device.pantarlihId,
						token: device.tokenId,
						verified: item.verified,
						tms: item.tms,
						new_voters: item.newVoters,
						pending: item.pending,
						recorded_at: item.recordedAt,
						app: item.app,
						battery: item.battery,
						lat: item.lat,
						lng: item.lng
					}))
				)}) as x(id uuid, content text, tps text, pantarlih int, token int, verified int, tms int, new_voters int,
					pending int, recorded_at double precision, app text, battery real, lat double precision,
					lng double precision)
			),
			-- Ids registered before this statement: the same content is a re-send, other content a
			-- conflict (refused). A new id is stored here and registered, under the log's lock, by the
			-- statement after this one.
			prior as (
				select h.id, h.log_index, h.content = decode(x.content, 'hex') as same
				from heartbeat_log_of(array(select x.id from x)) h join x on x.id = h.id
			),
			inserted as (
				insert into heartbeats (id, tps_code, pantarlih_id, device_token_id, verified, tms, new_voters,
					pending, recorded_at, received_at, app, battery, lat, lng)
				select id, tps, pantarlih, token, verified, tms, new_voters, pending,
					to_timestamp(recorded_at / 1000.0), ${now}::timestamptz, app, battery, lat, lng
				from x where id not in (select id from prior) order by id
				on conflict (recorded_at, id) do nothing
				returning id, tps_code, verified, tms, new_voters, pending, recorded_at, app, lat, lng
			),
			-- Heartbeats stored before (a phone's retry): each return noted, the log left as it is.
			resent as (
				insert into heartbeat_resends (heartbeat_id, received_at, device_token_id)
				select x.id, ${now}::timestamptz, x.token from x
				where exists (select 1 from prior p where p.id = x.id and p.same)
					or not exists (select 1 from prior p where p.id = x.id)
						and not exists (select 1 from inserted i where i.id = x.id)
				union all
				select r.id, ${now}::timestamptz, r.token
				from json_to_recordset(${json(repeats)}) as r(id uuid, token int)
			),
			-- The winning snapshot among the new ones: latest recorded, then largest count
			-- (coverage.ts supersedes()); it replaces the TPS's current one only if it supersedes it.
			best as (
				select distinct on (tps_code) * from inserted
				order by tps_code, recorded_at desc, verified desc
			),
			newest_app as (
				select distinct on (tps_code) tps_code, app from inserted where app is not null
				order by tps_code, recorded_at desc
			),
			newest_place as (
				select distinct on (tps_code) tps_code, lat, lng from inserted where lat is not null
				order by tps_code, recorded_at desc
			),
			before as (
				select code, target, verified, tms, new_voters, pending, recorded_at, heartbeat_id
				from tps where code in (select tps_code from best)
				order by code for update
			),
			decided as (
				select o.code, b.id, b.verified, b.tms, b.new_voters, b.pending, b.recorded_at,
					o.recorded_at is null or b.recorded_at > o.recorded_at
						or (b.recorded_at = o.recorded_at and b.verified > o.verified) as wins,
					a.app, p.lat, p.lng
				from before o
				join best b on b.tps_code = o.code
				left join newest_app a on a.tps_code = o.code
				left join newest_place p on p.tps_code = o.code
			),
			written as (
				update tps t set
					verified = case when d.wins then d.verified else t.verified end,
					tms = case when d.wins then d.tms else t.tms end,
					new_voters = case when d.wins then d.new_voters else t.new_voters end,
					pending = case when d.wins then d.pending else t.pending end,
					recorded_at = case when d.wins then d.recorded_at else t.recorded_at end,
					heartbeat_id = case when d.wins then d.id else t.heartbeat_id end,
					progress_at = case when d.wins and d.verified > t.verified then ${now}::timestamptz
						else t.progress_at end,
					pending_since = case when not d.wins then t.pending_since when d.pending = 0 then null
						else coalesce(t.pending_since, ${now}::timestamptz) end,
					first_sync_at = coalesce(t.first_sync_at, ${now}::timestamptz),
					last_sync_at = ${now}::timestamptz,
					app = coalesce(d.app, t.app),
					lat = coalesce(d.lat, t.lat),
					lng = coalesce(d.lng, t.lng)
				from decided d where t.code = d.code
				returning t.code
			)
			-- One row, two JSON arrays (the TPS before, the heartbeats stored): a commit of 100
			-- heartbeats answers with one row to decode, not 200 rows of nine typed columns.
			select
				(select coalesce(json_agg(json_build_array(code, target, verified, tms, new_voters, pending,
					${epochMs(sql`recorded_at`)}, heartbeat_id)), '[]') from before)::text as tps,
				(select coalesce(json_agg(json_build_array(tps_code, verified, tms, new_voters, pending,
					${epochMs(sql`recorded_at`)}, id)), '[]') from inserted)::text as hb,
				(select coalesce(json_agg(json_build_array(id, same, log_index)), '[]') from prior)::text as prior`
	);

	const inserted = new Map<string, Snapshot[]>();
	const accepted = new Set<string>();
	const [{ tps, hb, prior }] = returned;
	const before: TpsProgress[] = (JSON.parse(tps) as BeforeRow[]).map(
		([code, target, verified, tms, newVoters, pending, recordedAt, heartbeatId]) => ({
			code,
			target,
			verified,
			tms,
			newVoters,
			pending,
			recordedAt,
			heartbeatId
		})
	);
	for (const [code, verified, tms, newVoters, pending, recordedAt, id] of JSON.parse(
		hb
	) as StoredRow[]) {
		accepted.add(id);
		const snapshot: Snapshot = { id, verified, tms, newVoters, pending, recordedAt };
		const list = inserted.get(code);
		if (list) list.push(snapshot);
		else inserted.set(code, [snapshot]);
	}

	const earlier = new Map<string, { same: boolean; logIndex: number | null }>();
	for (const [id, same, logIndex] of JSON.parse(prior) as [string, boolean, number | null][])
		earlier.set(id, { same, logIndex: logIndex === null ? null : Number(logIndex) });

	const results: RequestResult[] = requests.map(() => ({
		accepted: 0,
		duplicates: 0,
		conflicts: [],
		logIndexes: {}
	}));
	// Neither stored nor registered before: a commit beside this one stored that id meanwhile (a
	// retry racing its first send, or another content under the same id). Run again, and see it.
	if (candidates.some(({ item }) => !accepted.has(item.id) && !earlier.has(item.id)))
		throw new IdRaceError('an id was stored by two commits at once');
	const given = await register(
		db,
		candidates.filter(({ item }) => accepted.has(item.id)),
		receivedAt.getTime()
	);
	for (const { item, request } of candidates) {
		const result = results[request];
		if (accepted.has(item.id)) {
			result.accepted += 1;
			result.logIndexes[item.id] = given.get(item.id)!;
			continue;
		}
		const before = earlier.get(item.id);
		if (!before!.same) result.conflicts.push(item.id);
		else {
			result.duplicates += 1;
			result.logIndexes[item.id] = before!.logIndex;
		}
	}
	for (const { id, request } of repeats) {
		results[request].duplicates += 1;
		results[request].logIndexes[id] = given.get(id) ?? earlier.get(id)?.logIndex ?? null;
	}
	for (const { id, request } of inBatchConflicts) results[request].conflicts.push(id);

	const outcomes = before.map((state) => applySnapshots(state, inserted.get(state.code) ?? []));
	const recordedOf = new Map<string, number>();
	for (const list of inserted.values()) for (const s of list) recordedOf.set(s.id, s.recordedAt);
	const anomalies = outcomes.flatMap((o) =>
		[...o.anomalies].map(([id, flags]) => ({
			id,
			recorded_at: recordedOf.get(id)!,
			flags: flags.join(',')
		}))
	);
	if (anomalies.length > 0) {
		// Advisory flags for Bawaslu and alerts, beside the log (which never changes).
		await db.execute(
			sql`insert into heartbeat_flags (heartbeat_id, recorded_at, flags, flagged_at)
				select x.id, to_timestamp(x.recorded_at / 1000.0), x.flags, ${now}::timestamptz
				from json_to_recordset(${json(anomalies)}) as x(id uuid, recorded_at double precision, flags text)`
		);
	}
	return {
		results,
		tps: outcomes,
		deltas: rollUp(outcomes),
		receivedAt: receivedAt.getTime()
	};
}

/**
 * The new heartbeats of a commit take their places in the transparency log, in the batch's order:
 * under the log head's lock (held to the commit's end, so indexes follow commit order across every
 * process), each id is registered with its content's fingerprint and the next index, and its leaf
 * goes onto the level-0 tiles. Only this short statement waits for the lock; the rest of a commit
 * runs beside the others'.
 */
async function register(
	db: Database,
	fresh: readonly { item: HeartbeatItem; device: DeviceIdentity }[],
	receivedAt: number
): Promise<Map<string, number>> {
	const given = new Map<string, number>();
	if (fresh.length === 0) return given;
	// One statement: the head's update takes the lock (waiting for any other commit's) and gives the
	// first index, which everything after reads; the lock holds to this transaction's end.
	const [{ indexes }] = await preparedRows<{ indexes: string }>(
		db,
		sql`with head as (
				update log_head set size = size + ${fresh.length} returning size - ${fresh.length} as base
			),
			x as (
				select j.*, h.base + j.ord as idx, (h.base + j.ord) / ${TILE_WIDTH} as tile
				from json_to_recordset(${json(
					fresh.map(({ item, device }, ord) => ({
						ord,
						leaf: leafOf(item, device, receivedAt),
						id: item.id,
						content: contentFingerprint(item).toString('hex'),
						tps: item.tps,
						token: device.tokenId,
						recorded_at: item.recordedAt
					}))
				)}) as j(ord int, leaf text, id uuid, content text, tps text, token int,
					recorded_at double precision)
				cross join head h
			),
			registered as (
				insert into heartbeat_log (id, content, tps_code, device_token_id, recorded_at, log_index)
				select id, decode(content, 'hex'), tps, token, to_timestamp(recorded_at / 1000.0), idx
				from x order by idx
				on conflict (id) do nothing
				returning id, log_index
			),
			-- Their leaves, in index order, onto the level-0 tiles (256 to a tile).
			tiled as (
				insert into log_tiles as t (level, idx, hashes)
				select 0, x.tile, string_agg(decode(x.leaf, 'hex'), ''::bytea order by x.idx)
				from x group by x.tile
				on conflict (level, idx) do update set hashes = t.hashes || excluded.hashes
			)
			select coalesce(json_agg(json_build_array(id, log_index)), '[]')::text as indexes from registered`
	);
	for (const [id, index] of JSON.parse(indexes) as [string, number | string][])
		given.set(id, Number(index));
	// An id another commit registered meanwhile: this one runs again, and then sees it.
	if (given.size !== fresh.length)
		throw new IdRaceError('an id was registered by two commits at once');
	return given;
}

/** PostgreSQL errors after which the statement can simply run again. */
export function isRetryable(error: unknown): boolean {
	const e = error as { code?: string; cause?: { code?: string } };
	const code = e?.code ?? e?.cause?.code;
	return code === '40P01' || code === '40001' || error instanceof IdRaceError;
}

/** The bus's `commit` event for a group commit made in this process. */
export function commitEvent(result: BatchResult): ServerEvents['commit'] {
	return {
		deltas: result.deltas,
		touched: result.tps.map(({ after }) => ({
			code: after.code,
			verified: after.verified,
			pending: after.pending
		})),
		at: result.receivedAt,
		origin: 'local',
		result
	};
}
