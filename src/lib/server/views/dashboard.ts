/**
 * What the region page shows, assembled once for the page, its CSV/XLSX and the benchmark: live
 * numbers (or a day's frozen snapshot), the day's target and gap per child on its own zone's
 * calendar, TPS synced that day, silent and never-synced Pantarlih, forecasts and their one-word
 * status (domain/status.ts), each child's recent trend, the daily history for the chart, open
 * alerts, TPS points below regency level, a village's TPS, and the last frozen day's evidence.
 */
import { sql } from 'drizzle-orm';
import { syncState, type SyncState } from '../../domain/activity';
import { addDays, dayStart, zoneOf } from '../../domain/calendar';
import { FIELD_LEVELS } from '../../domain/codes';
import { coverage } from '../../domain/coverage';
import { forecast, type Forecast } from '../../domain/forecast';
import type { Witnessed } from '../../domain/note';
import type { Principal } from '../../domain/roles';
import { paceStatus, type PaceStatus } from '../../domain/status';
import { gapToTarget } from '../../domain/target-curve';
import type { RegionNumbers } from '../../protocol/live';
import type { ChartDay } from '../../region-view';
import type { TodayTarget } from '../history/campaign';
import { rows } from '../platform/db/client';
import { epochMs, withinRegion } from '../platform/db/sql';
import { recentClosing, seriesOf, snapshotsOn } from '../history/snapshots';
import { countOpenAlerts } from '../alerts/list';
import { dayWindow } from '../evidence/day';
import { witnessedBy } from '../evidence/witnesses';
import { regionFor, viewRegion } from './regions';
import type { ViewDeps } from './deps';

export interface ChildRow extends RegionNumbers {
	share: number;
	gap: number;
	syncedToday: number;
	/** Synced before, quiet for more than the silent threshold. */
	silent: number;
	/** Never synced at all. */
	never: number;
	forecast: Forecast | null;
	status: PaceStatus;
}

/** A place on the map below regency level: a TPS, or (on a regency's map) a village. */
export interface TpsPoint {
	code: string;
	/** A village's name; a TPS is named by its number. */
	name?: string;
	lat: number;
	lng: number;
	verified: number;
	target: number;
}

/** A village's TPS, for its table (the children of a village). */
export interface TpsRow {
	code: string;
	number: string;
	pantarlih: string;
	verified: number;
	target: number;
	share: number;
	gap: number;
	state: SyncState;
	lastSyncAt: number | null;
}

export interface Dashboard {
	region: ChildRow;
	children: ChildRow[];
	/** At village level: its TPS (the children table), summing exactly to the village. */
	tps: TpsRow[] | null;
	parents: { code: string; name: string }[];
	today: TodayTarget | null;
	simulated: boolean;
	silentHours: number;
	series: ChartDay[];
	/** Each child's coverage at the end of the last three days and now (a small trend). */
	trends: Record<string, number[]>;
	openAlerts: number;
	points: TpsPoint[] | null;
	/** Set when the page shows a frozen day instead of live numbers. */
	history: { date: string; zone: string; takenAt: string | null; reason: string | null } | null;
	/** The region's digest of the last frozen day (README, "Evidence"). */
	evidence: {
		date: string;
		heartbeats: number | null;
		digest: string | null;
		/** Which witnesses cosigned the transparency log's last checkpoint of that day. */
		witnessed: Witnessed;
	} | null;
	now: string;
}

const MAX_POINTS = 5_000;

export async function dashboard(
	views: ViewDeps,
	viewer: Principal,
	code: string,
	date: string | null
): Promise<Dashboard> {
	const { store, activity, db } = views;
	const plan = views.plan();
	const view = viewRegion(store, viewer, code);
	const now = views.now();
	const today = plan.today(view.region.code, now);
	const settings = plan.settings;
	const codes = [view.region.code, ...view.children.map((c) => c.code)];

	const row = (r: RegionNumbers): ChildRow => {
		const zone = zoneOf(r.code);
		const day = plan.today(r.code, now)?.date ?? '';
		const share = plan.shareAt(r.code, now);
		const counts = activity.counts(r.code, now, dayStart(day, zone), settings.silentHours);
		return {
			...r,
			share,
			gap: gapToTarget(r.verified, r.target, share),
			syncedToday: counts.syncedToday,
			silent: counts.silent,
			// The same source as "TPS pernah sinkron" (tpsSynced), so the two make the TPS total.
			never: r.tps - r.tpsSynced,
			forecast: null,
			status: paceStatus({ verified: r.verified, target: r.target, share, forecast: null })
		};
	};

	const lastFrozen = today ? addDays(today.date, -1) : null;
	const evidenceOf = async () => {
		if (!lastFrozen) return null;
		const own = (await snapshotsOn(db, [code], lastFrozen)).get(code);
		if (!own) return null;
		const witnessed = await witnessedBy(db, dayWindow(lastFrozen, zoneOf(code))[1]);
		return { date: lastFrozen, heartbeats: own.heartbeats, digest: own.digest, witnessed };
	};

	if (date) {
		const frozen = await snapshotsOn(db, codes, date);
		const asOf = (r: RegionNumbers): ChildRow => {
			const s = frozen.get(r.code);
			const numbers = {
				...r,
				verified: s?.verified ?? 0,
				target: s?.target ?? r.target,
				tps: s?.tps ?? r.tps,
				tpsSynced: s?.tpsSynced ?? 0,
				tpsComplete: s?.tpsComplete ?? 0
			};
			const share = s?.targetShare ?? plan.shareOn(r.code, date);
			return {
				...numbers,
				share,
				gap: gapToTarget(numbers.verified, numbers.target, share),
				syncedToday: s?.tpsSyncedToday ?? 0,
				silent: s?.silentPantarlih ?? 0,
				// Frozen with the day's sync states (SYNC_STATES order: belum pernah first).
				never: s?.syncStates?.[0] ?? 0,
				forecast: null,
				status: paceStatus({ ...numbers, share, forecast: null })
			};
		};
		const own = frozen.get(view.region.code);
		const region = asOf(view.region);
		const children = view.children.map(asOf);
		// The forecast as it stood that evening (the report says the same for that date).
		if (plan.campaign) {
			const closing = await recentClosing(db, codes, date);
			for (const r of [region, ...children]) {
				r.forecast = forecast(
					plan.campaign,
					date,
					r.verified,
					r.target,
					closing.get(r.code) ?? new Map()
				);
				r.status = paceStatus(r);
			}
		}
		return {
			region,
			children,
			tps: null,
			parents: view.parents,
			today,
			simulated: plan.campaign?.simulated ?? false,
			silentHours: settings.silentHours,
			series: await series(views, view.region, null),
			trends: {},
			openAlerts: 0,
			points: null,
			history: {
				date,
				zone: zoneOf(view.region.code).name,
				takenAt: own ? own.takenAt : null,
				reason: own?.reason ?? null
			},
			evidence: own
				? {
						date,
						heartbeats: own.heartbeats,
						digest: own.digest,
						witnessed: await witnessedBy(db, dayWindow(date, zoneOf(code))[1])
					}
				: null,
			now: new Date(now).toISOString()
		};
	}

	const region = row(view.region);
	const children = view.children.map(row);
	const trends: Record<string, number[]> = {};
	if (plan.campaign && today) {
		const closing = await recentClosing(db, codes, today.date);
		for (const r of [region, ...children]) {
			const local = plan.today(r.code, now)!;
			const closed = closing.get(r.code) ?? new Map();
			r.forecast = forecast(plan.campaign, local.date, r.verified, r.target, closed);
			r.status = paceStatus(r);
			const target = r.target;
			const days = [...closed.entries()]
				.sort(([a], [b]) => (a < b ? -1 : 1))
				.map(([, verified]) => coverage(verified, target) ?? 0);
			// In the campaign's first days the trend starts from its start, at nothing verified.
			trends[r.code] = [
				...(days.length < 3 ? [0] : []),
				...days,
				coverage(r.verified, target) ?? 0
			];
		}
	}
	const openAlerts = await openAlertsOf(views, code);
	const points = FIELD_LEVELS.includes(view.region.level) ? await pointsOf(views, code) : null;
	return {
		region,
		children,
		tps: view.region.level === 'village' ? await villageTps(views, code) : null,
		parents: view.parents,
		today,
		simulated: plan.campaign?.simulated ?? false,
		silentHours: settings.silentHours,
		series: await series(views, view.region, region),
		trends,
		openAlerts,
		points,
		history: null,
		evidence: await evidenceOf(),
		now: new Date(now).toISOString()
	};
}

/**
 * The map's points below regency level, where phones reported a location: a regency's villages
 * (each at the mean of its TPS's locations, with the village's own numbers, so a regency of
 * 20,000 TPS is a few hundred points), a district's or village's TPS.
 */
async function pointsOf(views: ViewDeps, code: string): Promise<TpsPoint[]> {
	if (views.store.get(code)?.level === 'regency') {
		const located = await rows<{ code: string; lat: number; lng: number }>(
			views.db,
			sql`select village_code as code, avg(lat)::float8 as lat, avg(lng)::float8 as lng from tps
				where ${withinRegion(sql`code`, code)} and lat is not null
				group by village_code order by village_code`
		);
		return located.flatMap((v) => {
			const village = views.store.get(v.code);
			return village
				? [{ ...v, name: village.name, verified: village.verified, target: village.target }]
				: [];
		});
	}
	return rows<TpsPoint>(
		views.db,
		sql`select code, lat, lng, verified, target from tps
			where ${withinRegion(sql`code`, code)} and lat is not null
			order by code limit ${MAX_POINTS}`
	);
}

/** A village's TPS with their Pantarlih and state, in number order. */
async function villageTps(views: ViewDeps, village: string): Promise<TpsRow[]> {
	const now = views.now();
	const plan = views.plan();
	const share = plan.shareAt(village, now);
	const list = await rows<{
		code: string;
		target: number;
		verified: number;
		pending: number;
		name: string | null;
		first: number | null;
		last: number | null;
		progress: number | null;
		pending_since: number | null;
	}>(
		views.db,
		sql`select t.code, t.target, t.verified, t.pending, p.name,
				${epochMs(sql`t.first_sync_at`)} as first, ${epochMs(sql`t.last_sync_at`)} as last,
				${epochMs(sql`t.progress_at`)} as progress, ${epochMs(sql`t.pending_since`)} as pending_since
			from tps t left join pantarlih p on p.tps_code = t.code
			where t.village_code = ${village} order by t.code`
	);
	return list.map((t) => ({
		code: t.code,
		number: t.code.slice(10),
		pantarlih: t.name ?? '',
		verified: t.verified,
		target: t.target,
		share,
		gap: gapToTarget(t.verified, t.target, share),
		state: syncState(
			{
				code: t.code,
				target: t.target,
				verified: t.verified,
				pending: t.pending,
				firstSyncAt: t.first,
				lastSyncAt: t.last,
				progressAt: t.progress,
				pendingSince: t.pending_since
			},
			now,
			plan.settings
		),
		lastSyncAt: t.last
	}));
}

/** The chart's days: each frozen day's coverage and target, then today's live value. */
async function series(
	views: ViewDeps,
	region: RegionNumbers,
	live: ChildRow | null
): Promise<ChartDay[]> {
	const past = await seriesOf(views.db, region.code);
	const points: ChartDay[] = past.map((s) => ({
		date: s.date,
		coverage: coverage(s.verified, s.target) ?? 0,
		share: s.targetShare
	}));
	const today = views.plan().today(region.code, views.now());
	if (live && today && today.day >= 1 && !points.some((p) => p.date === today.date)) {
		points.push({
			date: today.date,
			coverage: coverage(live.verified, live.target) ?? 0,
			share: today.share,
			live: true
		});
	}
	return points;
}

/** A region's open alerts: the shared count when the services keep one, else counted now. */
function openAlertsOf(views: ViewDeps, code: string): Promise<number> {
	return views.openAlerts ? views.openAlerts(code) : countOpenAlerts(views.db, code);
}

/**
 * GET /api/v1/regions/<code>: the region and its children as the roll-ups hold them, each with its
 * Pantarlih per sync state now (they add up to its TPS), and the region's open alerts (the count
 * its page's tile and its alerts page show).
 */
export async function regionApi(views: ViewDeps, viewer: Principal, code: string) {
	regionFor(views.store, viewer, code);
	const openAlerts = await openAlertsOf(views, code);
	// The roll-ups and the sync states read in one turn of the event loop, after the await: a
	// commit between the two made them disagree (a TPS synced for one, never synced for the other).
	const { region, children } = viewRegion(views.store, viewer, code);
	const now = views.now();
	const settings = views.plan().settings;
	const states = (c: string) => views.activity.states(c, now, settings);
	return {
		...region,
		syncStates: states(region.code),
		openAlerts,
		children: children.map((c) => ({ ...c, syncStates: states(c.code) }))
	};
}
