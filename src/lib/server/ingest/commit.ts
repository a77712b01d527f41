/**
 * One group commit is one SQL statement (atomic on its own, no BEGIN/COMMIT round trips): it
 * stores the new heartbeats of many requests (a re-sent one, same id and recorded time, is stored
 * once and its return noted in heartbeat_resends), locks their TPS rows in code order, moves each
 * TPS to its winning snapshot and returns every touched TPS's state from before, with the
 * heartbeats it stored. The caller then applies the pure maths (domain/coverage.ts) to those rows: the same
 * winning rule (`supersedes`), the data-quality flags and the region deltas. No request is
 * answered before the statement has committed.
 */
import { sql } from 'drizzle-orm';
import { applySnapshots, rollUp, type Snapshot, type TpsProgress } from '../../domain/coverage';
import type { HeartbeatItem } from '../../domain/heartbeat';
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

export async function commitBatch(
	db: Database,
	requests: readonly PendingRequest[],
	receivedAt = new Date()
): Promise<BatchResult> {
	// The first occurrence of an id in the batch is the one that may be accepted; later ones in
	// the same batch are re-sends already.
	const candidates: { item: HeartbeatItem; device: DeviceIdentity; request: number }[] = [];
	const repeats: { id: string; token: number }[] = [];
	const seen = new Set<string>();
	requests.forEach((request, index) => {
		for (const item of request.items) {
			if (seen.has(item.id)) {
				repeats.push({ id: item.id, token: request.device.tokenId });
				continue;
			}
			seen.add(item.id);
			candidates.push({ item, device: request.device, request: index });
		}
	});
	const now = receivedAt.toISOString();

	const returned = await preparedRows<{ tps: string; hb: string }>(
		db,
		sql`with x as (
				select * from json_to_recordset(${json(
					candidates.map(({ item, device }) => ({
						id: item.id,
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
				)}) as x(id uuid, tps text, pantarlih int, token int, verified int, tms int, new_voters int,
					pending int, recorded_at double precision, app text, battery real, lat double precision,
					lng double precision)
			),
			inserted as (
				insert into heartbeats (id, tps_code, pantarlih_id, device_token_id, verified, tms, new_voters,
					pending, recorded_at, received_at, app, battery, lat, lng)
				select id, tps, pantarlih, token, verified, tms, new_voters, pending,
					to_timestamp(recorded_at / 1000.0), ${now}::timestamptz, app, battery, lat, lng
				from x order by id
				on conflict (id, recorded_at) do nothing
				returning id, tps_code, verified, tms, new_voters, pending, recorded_at, app, lat, lng
			),
			-- Heartbeats stored before (a phone's retry): each return noted, the log left as it is.
			resent as (
				insert into heartbeat_resends (heartbeat_id, received_at, device_token_id)
				select x.id, ${now}::timestamptz, x.token from x
				where not exists (select 1 from inserted i where i.id = x.id)
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
					${epochMs(sql`recorded_at`)}, id)), '[]') from inserted)::text as hb`
	);

	const inserted = new Map<string, Snapshot[]>();
	const accepted = new Set<string>();
	const [{ tps, hb }] = returned;
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

	const results: RequestResult[] = requests.map((r) => ({
		accepted: 0,
		duplicates: r.items.length
	}));
	for (const { item, request } of candidates) {
		if (!accepted.has(item.id)) continue;
		results[request].accepted += 1;
		results[request].duplicates -= 1;
	}

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
	return { results, tps: outcomes, deltas: rollUp(outcomes), receivedAt: receivedAt.getTime() };
}

/** PostgreSQL errors after which the statement can simply run again. */
export function isRetryable(error: unknown): boolean {
	const e = error as { code?: string; cause?: { code?: string } };
	const code = e?.code ?? e?.cause?.code;
	return code === '40P01' || code === '40001';
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
