/**
 * Daily snapshots: at each zone's local midnight the numbers of every region in that zone are
 * frozen for the day that ended (and on demand, from the CLI). Rows are immutable (a trigger
 * refuses UPDATE and DELETE); a correction is a new row naming the one it corrects, and readers
 * take the newest row per region and date.
 */
import { sql } from 'drizzle-orm';
import { PgTransaction } from 'drizzle-orm/pg-core';
import { SYNC_STATES, type ActivityIndex } from '../../domain/activity';
import { NATION_CODE, regionLevel } from '../../domain/codes';
import { tally, type RegionTally, type TpsGap } from '../../domain/report';
import { addDays, dayStart, localDate, zoneOf, ZONES, type Zone } from '../../domain/calendar';
import { Plan } from './campaign';
import { rows, type Database } from '../platform/db/client';
import { loadActivity } from '../rollup/activity';
import { RollupStore } from '../rollup/store';
import { dayDigests, dayRange, nationDigest, type DayDigest } from '../evidence/day';

const CHUNK = 2_000;

export interface SnapshotRow {
	regionCode: string;
	date: string;
	verified: number;
	target: number;
	tps: number;
	tpsSynced: number;
	tpsSyncedToday: number;
	tpsComplete: number;
	silentPantarlih: number;
	targetShare: number;
	/** Null in rows frozen before the report existed (migration 0007). */
	syncStates: number[] | null;
	largestGaps: TpsGap[] | null;
	/** Heartbeats received that local day, and their digest (evidence/day.ts); null before 0010. */
	heartbeats: number | null;
	digest: string | null;
}

/** Regions whose frozen rows keep their largest gaps: villages are left out (83,731 a day). */
export const keepsGaps = (code: string) => regionLevel(code) !== 'village';

/**
 * The day's target share for any region, computed once per regency (or province, or the nation):
 * curves are set per province or regency (the campaign page refuses other levels), so a district's
 * or village's share is its regency's. Scans of every region use this instead of `plan.shareOn`
 * (83,731 villages × a date computation took 0.8 s).
 */
export function sharesOn(plan: Plan, date: string, now?: number): (code: string) => number {
	const shares = new Map<string, number>();
	return (code) => {
		const key = code.length > 4 ? code.slice(0, 4) : code;
		let share = shares.get(key);
		if (share === undefined)
			shares.set(
				key,
				(share = now === undefined ? plan.shareOn(key, date) : plan.shareAt(key, now))
			);
		return share;
	};
}

/**
 * Sync-state counts and largest gaps for the regions `wanted` inside `scope`, as they stand at
 * `now`, against the target share of `date`'s end, or (`live`) against what is expected by `now`.
 */
export function tallyAt(
	ctx: Pick<FreezeContext, 'activity' | 'plan' | 'now'>,
	scope: string,
	date: string,
	wanted: (code: string) => boolean,
	withGaps: (code: string) => boolean = keepsGaps,
	live = false
): Map<string, RegionTally> {
	return tally(ctx.activity, scope, {
		now: ctx.now,
		thresholds: ctx.plan.settings,
		shareOf: sharesOn(ctx.plan, date, live ? ctx.now : undefined),
		wanted,
		withGaps
	});
}

export interface FreezeContext {
	db: Database;
	store: RollupStore;
	activity: ActivityIndex;
	plan: Plan;
	now: number;
}

/** A context built fresh from the database, for the CLI and benchmarks (outside a running server). */
export async function freezeContextFrom(db: Database, now = Date.now()): Promise<FreezeContext> {
	const store = new RollupStore();
	await store.load(db);
	return { db, store, activity: await loadActivity(db), plan: await Plan.load(db), now };
}

/**
 * The evidence digests of a zone's regions for `date`; with the WIB zone, the nation's too, from
 * every province's (WITA and WIT provinces' as frozen earlier that evening, or computed now).
 */
export async function zoneDigests(
	ctx: Pick<FreezeContext, 'db' | 'store'>,
	zone: Zone,
	date: string
): Promise<Map<string, DayDigest>> {
	const provinces = ctx.store.children(NATION_CODE).map((p) => p.code);
	const result = new Map<string, DayDigest>();
	// Two provinces at a time, each on a connection of its own: PostgreSQL reads and sorts one
	// province's day (before its first row comes) while the server hashes the other's.
	const own = provinces.filter((p) => zoneOf(p) === zone);
	const range = await dayRange(ctx.db, date, zone);
	let taken = 0;
	const worker = async () => {
		while (taken < own.length) {
			const province = own[taken++];
			for (const [code, d] of await dayDigests(ctx.db, province, date, range)) result.set(code, d);
		}
	};
	// Inside a transaction (a freeze on demand) there is one connection: one province at a time.
	await Promise.all(ctx.db instanceof PgTransaction ? [worker()] : [worker(), worker()]);
	if (zone === ZONES.WIB) {
		const stored = await snapshotsOn(ctx.db, provinces, date);
		const perProvince = new Map<string, DayDigest>();
		for (const province of provinces) {
			const own = result.get(province);
			const frozen = stored.get(province);
			perProvince.set(
				province,
				own ??
					(zoneOf(province) === zone
						? { heartbeats: 0, digest: null }
						: frozen && frozen.heartbeats !== null
							? { heartbeats: frozen.heartbeats, digest: frozen.digest }
							: ((await dayDigests(ctx.db, province, date)).get(province) ?? {
									heartbeats: 0,
									digest: null
								}))
			);
		}
		result.set(NATION_CODE, nationDigest(perProvince));
	}
	return result;
}

/** The numbers of every region of a zone for `date`, as they stand now, with the day's digests. */
export function snapshotRows(
	ctx: Omit<FreezeContext, 'db'>,
	zone: Zone,
	date: string,
	digests: ReadonlyMap<string, DayDigest> = new Map()
): SnapshotRow[] {
	const { store, activity, plan, now } = ctx;
	const since = dayStart(date, zone);
	const list: SnapshotRow[] = [];
	const tallies = tallyAt(ctx, NATION_CODE, date, (code) => zoneOf(code) === zone);
	const shareOf = sharesOn(plan, date);
	for (const region of store.all()) {
		if (zoneOf(region.code) !== zone) continue;
		const tallied = tallies.get(region.code);
		const counts = activity.counts(region.code, now, since, plan.settings.silentHours);
		list.push({
			regionCode: region.code,
			date,
			verified: region.verified,
			target: region.target,
			tps: region.tps,
			tpsSynced: region.tpsSynced,
			tpsSyncedToday: counts.syncedToday,
			tpsComplete: region.tpsComplete,
			silentPantarlih: counts.silent,
			targetShare: shareOf(region.code),
			syncStates: tallied?.states ?? SYNC_STATES.map(() => 0),
			largestGaps: keepsGaps(region.code) ? (tallied?.largestGaps ?? []) : null,
			heartbeats: digests.get(region.code)?.heartbeats ?? 0,
			digest: digests.get(region.code)?.digest ?? null
		});
	}
	return list;
}

/**
 * Freezes a zone's regions for `date`. Without `correction` a region already frozen for that date
 * is left as it is; with one, a correction row is added for each region, naming the row it corrects.
 * Returns how many rows were written.
 */
export async function freezeDay(
	ctx: FreezeContext,
	zone: Zone,
	date: string,
	correction?: string
): Promise<number> {
	const list = snapshotRows(ctx, zone, date, await zoneDigests(ctx, zone, date));
	const takenAt = new Date(ctx.now).toISOString();
	let written = 0;
	for (let i = 0; i < list.length; i += CHUNK) {
		const chunk = JSON.stringify(list.slice(i, i + CHUNK));
		const inserted = await rows<{ id: number }>(
			ctx.db,
			correction === undefined
				? sql`insert into daily_snapshots (region_code, date, verified, target, tps, tps_synced,
						tps_synced_today, tps_complete, silent_pantarlih, target_share, sync_states, largest_gaps, heartbeats, digest, taken_at)
					select x."regionCode", x.date, x.verified, x.target, x.tps, x."tpsSynced", x."tpsSyncedToday",
						x."tpsComplete", x."silentPantarlih", x."targetShare", x."syncStates", x."largestGaps", x.heartbeats, x.digest, ${takenAt}::timestamptz
					from json_to_recordset(${chunk}::json) as x("regionCode" text, date date, verified int,
						target int, tps int, "tpsSynced" int, "tpsSyncedToday" int, "tpsComplete" int,
						"silentPantarlih" int, "targetShare" float8, "syncStates" int[], "largestGaps" jsonb, heartbeats int, digest text)
					on conflict (region_code, date) where corrects_id is null do nothing
					returning id`
				: sql`insert into daily_snapshots (region_code, date, verified, target, tps, tps_synced,
						tps_synced_today, tps_complete, silent_pantarlih, target_share, sync_states, largest_gaps, heartbeats, digest, taken_at, corrects_id, reason)
					select x."regionCode", x.date, x.verified, x.target, x.tps, x."tpsSynced", x."tpsSyncedToday",
						x."tpsComplete", x."silentPantarlih", x."targetShare", x."syncStates", x."largestGaps", x.heartbeats, x.digest, ${takenAt}::timestamptz,
						(select max(id) from daily_snapshots d where d.region_code = x."regionCode" and d.date = x.date),
						${correction}
					from json_to_recordset(${chunk}::json) as x("regionCode" text, date date, verified int,
						target int, tps int, "tpsSynced" int, "tpsSyncedToday" int, "tpsComplete" int,
						"silentPantarlih" int, "targetShare" float8, "syncStates" int[], "largestGaps" jsonb, heartbeats int, digest text)
					returning id`
		);
		written += inserted.length;
	}
	return written;
}

/** A zone's representative region: its first province (the nation for WIB). */
function probeCode(zone: Zone, store: RollupStore): string | null {
	if (zone === ZONES.WIB) return NATION_CODE;
	return store.children(NATION_CODE).find((p) => zoneOf(p.code) === zone)?.code ?? null;
}

/**
 * Freezes, for each zone, the local day that has just ended, if it belongs to the campaign and is
 * not frozen yet. Called every few seconds; returns the zones and dates it froze.
 */
export async function freezeEndedDays(ctx: FreezeContext): Promise<string[]> {
	const campaign = ctx.plan.campaign;
	if (!campaign) return [];
	const done: string[] = [];
	// Eastern zones first (their day ends first): the nation's digest, frozen with WIB, reads their
	// provinces' frozen digests even when a restart freezes all three at once.
	for (const zone of [ZONES.WIT, ZONES.WITA, ZONES.WIB]) {
		const probe = probeCode(zone, ctx.store);
		if (!probe) continue;
		const yesterday = addDays(localDate(new Date(ctx.now), zone), -1);
		if (yesterday < campaign.firstDay || yesterday > campaign.lastDay) continue;
		const [found] = await rows<{ n: number }>(
			ctx.db,
			sql`select count(*)::int as n from daily_snapshots where region_code = ${probe} and date = ${yesterday}`
		);
		if (found.n > 0) continue;
		const written = await freezeDay(ctx, zone, yesterday);
		done.push(`${zone.name} ${yesterday} (${written} regions)`);
	}
	return done;
}

/** The newest row per region for a date (corrections win), for a region and its children. */
export async function snapshotsOn(
	db: Database,
	codes: readonly string[],
	date: string
): Promise<Map<string, SnapshotRow & { takenAt: string; reason: string | null }>> {
	if (codes.length === 0) return new Map();
	const list = await rows<SnapshotRow & { takenAt: string; reason: string | null }>(
		db,
		sql`select distinct on (region_code) region_code as "regionCode", date::text as date, verified,
				target, tps, tps_synced as "tpsSynced", tps_synced_today as "tpsSyncedToday",
				tps_complete as "tpsComplete", silent_pantarlih as "silentPantarlih",
				target_share as "targetShare", sync_states as "syncStates",
				largest_gaps as "largestGaps", heartbeats, digest, taken_at::text as "takenAt", reason
			from daily_snapshots
			where date = ${date} and region_code in (select json_array_elements_text(${JSON.stringify(codes)}::json))
			order by region_code, id desc`
	);
	return new Map(list.map((r) => [r.regionCode, r]));
}

export type ClosingRow = Omit<SnapshotRow, 'syncStates' | 'largestGaps' | 'heartbeats' | 'digest'>;

/** A region's closing numbers per day (newest row per date), oldest first: the chart's history. */
export function seriesOf(db: Database, code: string): Promise<ClosingRow[]> {
	return rows<ClosingRow>(
		db,
		sql`select distinct on (date) region_code as "regionCode", date::text as date, verified, target,
				tps, tps_synced as "tpsSynced", tps_synced_today as "tpsSyncedToday",
				tps_complete as "tpsComplete", silent_pantarlih as "silentPantarlih",
				target_share as "targetShare"
			from daily_snapshots where region_code = ${code}
			order by date, id desc`
	);
}

/** Closing `verified` per region and date for the last `days` days before `today`. */
export async function recentClosing(
	db: Database,
	codes: readonly string[],
	today: string,
	days = 3
): Promise<Map<string, Map<string, number>>> {
	const from = addDays(today, -days);
	const result = new Map<string, Map<string, number>>();
	if (codes.length === 0) return result;
	const list = await rows<{ code: string; date: string; verified: number }>(
		db,
		sql`select distinct on (region_code, date) region_code as code, date::text as date, verified
			from daily_snapshots
			where date >= ${from} and date < ${today}
				and region_code in (select json_array_elements_text(${JSON.stringify(codes)}::json))
			order by region_code, date, id desc`
	);
	for (const r of list) {
		let map = result.get(r.code);
		if (!map) result.set(r.code, (map = new Map()));
		map.set(r.date, r.verified);
	}
	return result;
}
