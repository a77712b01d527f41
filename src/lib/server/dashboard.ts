/**
 * What the region page shows, assembled once for the page, its CSV and the benchmark: live
 * numbers (or a day's frozen snapshot), today's target and gap per child on its own zone's
 * calendar, TPS synced today and silent Pantarlih, forecasts, the daily history for the chart,
 * open alerts and TPS locations below regency level.
 */
import { sql } from 'drizzle-orm';
import { FIELD_LEVELS } from '../domain/codes';
import { coverage } from '../domain/coverage';
import { forecast, type Forecast } from '../domain/forecast';
import type { Principal } from '../domain/roles';
import { dayStart, zoneOf } from '../domain/calendar';
import { gapToTarget } from '../domain/target-curve';
import type { RegionNumbers } from '../protocol/live';
import type { ChartDay } from '../region-view';
import type { TodayTarget } from './campaign';
import { rows } from './db/client';
import { withinRegion } from './db/sql';
import { recentClosing, seriesOf, snapshotsOn } from './history/snapshots';
import { viewRegion } from './regions';
import type { ViewDeps } from './views';

export interface ChildRow extends RegionNumbers {
	share: number;
	gap: number;
	syncedToday: number;
	silent: number;
	forecast: Forecast | null;
}

export interface TpsPoint {
	code: string;
	lat: number;
	lng: number;
	verified: number;
	target: number;
}

export interface Dashboard {
	region: ChildRow;
	children: ChildRow[];
	parents: { code: string; name: string }[];
	today: TodayTarget | null;
	simulated: boolean;
	silentHours: number;
	series: ChartDay[];
	openAlerts: number;
	points: TpsPoint[] | null;
	/** Set when the page shows a frozen day instead of live numbers. */
	history: { date: string; zone: string; takenAt: string | null; reason: string | null } | null;
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

	const row = (r: RegionNumbers, onDate: string | null): ChildRow => {
		const zone = zoneOf(r.code);
		const localToday = plan.today(r.code, now);
		const day = onDate ?? localToday?.date ?? '';
		const share = plan.shareOn(r.code, day);
		const counts = activity.counts(
			r.code,
			now,
			dayStart(day, zone),
			settings.silentHours,
			(localToday?.day ?? 0) > settings.neverAfterDay
		);
		return {
			...r,
			share,
			gap: gapToTarget(r.verified, r.target, share),
			syncedToday: counts.syncedToday,
			silent: counts.silent,
			forecast: null
		};
	};

	if (date) {
		const frozen = await snapshotsOn(
			db,
			[view.region.code, ...view.children.map((c) => c.code)],
			date
		);
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
				forecast: null
			};
		};
		const own = frozen.get(view.region.code);
		return {
			region: asOf(view.region),
			children: view.children.map(asOf),
			parents: view.parents,
			today,
			simulated: plan.campaign?.simulated ?? false,
			silentHours: settings.silentHours,
			series: await series(views, view.region, null),
			openAlerts: 0,
			points: null,
			history: {
				date,
				zone: zoneOf(view.region.code).name,
				takenAt: own ? own.takenAt : null,
				reason: own?.reason ?? null
			},
			now: new Date(now).toISOString()
		};
	}

	const region = row(view.region, null);
	const children = view.children.map((c) => row(c, null));
	if (plan.campaign && today) {
		const closing = await recentClosing(
			db,
			[region.code, ...children.map((c) => c.code)],
			today.date
		);
		for (const r of [region, ...children]) {
			const local = plan.today(r.code, now)!;
			r.forecast = forecast(
				plan.campaign,
				local.date,
				r.verified,
				r.target,
				closing.get(r.code) ?? new Map()
			);
		}
	}
	const [alerts] = await rows<{ n: number }>(
		db,
		sql`select count(*)::int as n from alerts
			where status <> 'resolved' and ${withinRegion(sql`subject_code`, code)}`
	);
	const points = FIELD_LEVELS.includes(view.region.level)
		? await rows<TpsPoint>(
				db,
				sql`select code, lat, lng, verified, target from tps
					where ${withinRegion(sql`code`, code)} and lat is not null
					order by code limit ${MAX_POINTS}`
			)
		: null;
	return {
		region,
		children,
		parents: view.parents,
		today,
		simulated: plan.campaign?.simulated ?? false,
		silentHours: settings.silentHours,
		series: await series(views, view.region, region),
		openAlerts: alerts.n,
		points,
		history: null,
		now: new Date(now).toISOString()
	};
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
