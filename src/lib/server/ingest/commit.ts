/**
 * One group-commit transaction: stores the new heartbeats of many requests, moves each touched
 * TPS to its winning snapshot and adds the changes to every region above it. Rows are locked in
 * code order (TPS, then regions) so that concurrent committers, in this process or another,
 * cannot deadlock. Nothing is visible, and no request is answered, before COMMIT.
 */
import { sql } from 'drizzle-orm';
import {
	applySnapshots,
	rollUp,
	type Snapshot,
	type TpsOutcome,
	type TpsProgress
} from '../../domain/coverage';
import type { HeartbeatItem } from '../../domain/heartbeat';
import { rows, type Database } from '../db/client';
import type { DeviceIdentity } from './device-tokens';

export interface PendingRequest {
	device: DeviceIdentity;
	items: HeartbeatItem[];
}

export interface RequestResult {
	accepted: number;
	duplicates: number;
}

/** A region's totals after a commit, for live push. */
export interface RegionTotals {
	code: string;
	verified: number;
	target: number;
	tps: number;
	tpsSynced: number;
	tpsComplete: number;
	version: number;
}

export interface BatchResult {
	results: RequestResult[];
	regions: RegionTotals[];
	tps: TpsOutcome[];
}

const json = (value: unknown) => sql`${JSON.stringify(value)}::json`;
const byKey =
	<T>(key: (t: T) => string) =>
	(a: T, b: T) =>
		key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0;

export async function commitBatch(
	db: Database,
	requests: readonly PendingRequest[],
	receivedAt = new Date()
): Promise<BatchResult> {
	// The first occurrence of an id in the batch is the one that may be accepted.
	const candidates: { item: HeartbeatItem; device: DeviceIdentity; request: number }[] = [];
	const seen = new Set<string>();
	requests.forEach((request, index) => {
		for (const item of request.items) {
			if (seen.has(item.id)) continue;
			seen.add(item.id);
			candidates.push({ item, device: request.device, request: index });
		}
	});
	candidates.sort(byKey((c) => c.item.id));

	return db.transaction(async (tx) => {
		// 1. Store the new heartbeats and lock their TPS rows (in code order) in one statement.
		const locked = await rows<{
			code: string;
			target: number;
			verified: number;
			tms: number;
			new_voters: number;
			pending: number;
			recorded_at: string | Date | null;
			heartbeat_id: string | null;
			inserted: string[];
		}>(
			tx,
			sql`with inserted as (
					insert into heartbeats (id, tps_code, pantarlih_id, device_token_id, verified, tms,
						new_voters, pending, recorded_at, received_at, app, battery, lat, lng)
					select x.id, x.tps, x.pantarlih, x.token, x.verified, x.tms, x.new_voters, x.pending,
						to_timestamp(x.recorded_at / 1000.0), ${receivedAt.toISOString()}::timestamptz,
						x.app, x.battery, x.lat, x.lng
					from json_to_recordset(${json(
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
					)}) as x(id uuid, tps text, pantarlih int, token int, verified int, tms int,
						new_voters int, pending int, recorded_at double precision, app text, battery real,
						lat double precision, lng double precision)
					on conflict (id) do nothing
					returning id, tps_code
				),
				per_tps as (select tps_code, array_agg(id::text) as ids from inserted group by tps_code)
				select t.code, t.target, t.verified, t.tms, t.new_voters, t.pending, t.recorded_at,
					t.heartbeat_id, p.ids as inserted
				from tps t join per_tps p on p.tps_code = t.code
				order by t.code
				for update of t`
		);

		const inserted = new Set(locked.flatMap((row) => row.inserted));
		const results: RequestResult[] = requests.map((r) => ({
			accepted: 0,
			duplicates: r.items.length
		}));
		const fresh = candidates.filter((c) => inserted.has(c.item.id));
		for (const { request } of fresh) {
			results[request].accepted += 1;
			results[request].duplicates -= 1;
		}
		if (fresh.length === 0) return { results, regions: [], tps: [] };

		const byTps = new Map<string, HeartbeatItem[]>();
		for (const { item } of fresh) {
			const list = byTps.get(item.tps);
			if (list) list.push(item);
			else byTps.set(item.tps, [item]);
		}

		// 2. The pure part: winning snapshots, anomalies and region deltas.
		const outcomes: TpsOutcome[] = [];
		const anomalies: { id: string; anomaly: string }[] = [];
		const tpsUpdates = [];
		for (const row of locked) {
			const before: TpsProgress = {
				code: row.code,
				target: row.target,
				verified: row.verified,
				tms: row.tms,
				newVoters: row.new_voters,
				pending: row.pending,
				recordedAt: row.recorded_at === null ? null : new Date(row.recorded_at).getTime(),
				heartbeatId: row.heartbeat_id
			};
			const items = byTps.get(row.code)!;
			const outcome = applySnapshots(before, items as Snapshot[]);
			outcomes.push(outcome);
			for (const [id, flags] of outcome.anomalies) anomalies.push({ id, anomaly: flags.join(',') });
			// Every touched TPS records the sync; its counts change only if a snapshot won.
			const newest = items.reduce((a, b) => (b.recordedAt > a.recordedAt ? b : a));
			const located = items
				.filter((i) => i.lat !== null)
				.sort((a, b) => b.recordedAt - a.recordedAt)[0];
			const after = outcome.after;
			tpsUpdates.push({
				code: row.code,
				verified: after.verified,
				tms: after.tms,
				new_voters: after.newVoters,
				pending: after.pending,
				recorded_at: after.recordedAt,
				heartbeat_id: after.heartbeatId,
				app: newest.app,
				lat: located?.lat ?? null,
				lng: located?.lng ?? null
			});
		}
		const deltas = [...rollUp(outcomes)]
			.map(([code, d]) => ({
				code,
				verified: d.verified,
				synced: d.tpsSynced,
				complete: d.tpsComplete
			}))
			.sort(byKey((d) => d.code));

		// 3. Write TPS progress, anomaly flags and region totals in one statement. Regions are
		// joined in code order; should two processes still deadlock, the batch is retried whole.
		const regions = await rows<RegionTotals>(
			tx,
			sql`with tps_written as (
					update tps set
						verified = x.verified, tms = x.tms, new_voters = x.new_voters, pending = x.pending,
						recorded_at = to_timestamp(x.recorded_at / 1000.0), heartbeat_id = x.heartbeat_id,
						first_sync_at = coalesce(tps.first_sync_at, ${receivedAt.toISOString()}::timestamptz),
						last_sync_at = ${receivedAt.toISOString()}::timestamptz,
						app = coalesce(x.app, tps.app), lat = coalesce(x.lat, tps.lat),
						lng = coalesce(x.lng, tps.lng)
					from json_to_recordset(${json(tpsUpdates)}) as x(code text, verified int, tms int,
						new_voters int, pending int, recorded_at double precision, heartbeat_id uuid, app text,
						lat double precision, lng double precision)
					where tps.code = x.code
					returning 1
				),
				flagged as (
					update heartbeats set anomaly = x.anomaly
					from json_to_recordset(${json(anomalies)}) as x(id uuid, anomaly text)
					where heartbeats.id = x.id
					returning 1
				)
				update region_progress p set
					verified = p.verified + x.verified,
					tps_synced = p.tps_synced + x.synced,
					tps_complete = p.tps_complete + x.complete,
					version = p.version + 1
				from (select * from json_to_recordset(${json(deltas)})
					as d(code text, verified bigint, synced int, complete int) order by code) as x
				where p.code = x.code
				returning p.code, p.verified::float8 as verified, p.target::float8 as target, p.tps,
					p.tps_synced as "tpsSynced", p.tps_complete as "tpsComplete",
					p.version::float8 as version`
		);
		return { results, regions, tps: outcomes };
	});
}

/** PostgreSQL errors after which the whole transaction can simply run again. */
export function isRetryable(error: unknown): boolean {
	const code =
		(error as { code?: string; cause?: { code?: string } })?.code ??
		(error as { cause?: { code?: string } })?.cause?.code;
	return code === '40P01' || code === '40001';
}
