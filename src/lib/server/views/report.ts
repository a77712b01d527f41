/**
 * The rakor report: a region's day as a coordination meeting reads it. A past day is built only
 * from what was frozen that night (daily snapshots, their sync-state counts and largest gaps, and
 * alert rows by their open and resolve times), so its report never changes; today's is live and
 * labelled provisional.
 */
import type { Witnessed } from '../../domain/note';
import { dayWindow } from '../evidence/day';
import { witnessedBy } from '../evidence/witnesses';
import { sql } from 'drizzle-orm';
import { ALERT_RULES, type AlertRule } from '../../domain/alerts';
import type { SyncState } from '../../domain/activity';
import { spreadGaps, stateCounts, type TpsGap } from '../../domain/report';
import { NATION_CODE, type RegionLevel } from '../../domain/codes';
import { AppError } from '../../domain/errors';
import type { Principal } from '../../domain/roles';
import {
	addDays,
	campaignDay,
	campaignLength,
	dayStart,
	isLocalDate,
	zoneOf
} from '../../domain/calendar';
import type { ChartDay } from '../../region-view';
import { dashboard, type ChildRow } from './dashboard';
import { rows } from '../platform/db/client';
import { withinRegion } from '../platform/db/sql';
import { tallyAt, snapshotsOn } from '../history/snapshots';
import { breadcrumb, regionFor, viewRegion } from './regions';
import type { ViewDeps } from './deps';

export interface ReportGap extends TpsGap {
	villageName: string;
}

export interface Report {
	region: ChildRow;
	parents: { code: string; name: string }[];
	zone: string;
	date: string;
	/** Day N of `days` of the campaign. */
	day: number;
	days: number;
	/** False for today: live numbers that will still move until the day is frozen. */
	final: boolean;
	/** When the day was frozen, and the correction's reason when the row is a correction. */
	takenAt: string | null;
	reason: string | null;
	/** The day before, for the change in coverage (null on the first day). */
	previous: { date: string; verified: number; target: number; share: number } | null;
	/** Children sorted by gap to the day's target, largest first. */
	children: ChildRow[];
	series: ChartDay[];
	/** Null for days frozen before the report existed. */
	states: Record<SyncState, number> | null;
	/** Alerts not resolved at the end of the day (now, for today), per rule. */
	alerts: { rule: AlertRule; count: number }[];
	/** Null where the day kept none (villages' past days). */
	largestGaps: ReportGap[] | null;
	simulated: boolean;
	generatedAt: string;
	/** A frozen day's evidence: the heartbeats received that day in the region and their digest. */
	evidence: { heartbeats: number | null; digest: string | null; witnessed: Witnessed } | null;
}

/** `tanggal` as given, or today in the region's zone; refused outside the campaign's days so far. */
export function reportDate(views: ViewDeps, code: string, asked: string | null): string {
	const plan = views.plan();
	if (!plan.campaign) throw new AppError('noCampaign');
	const today = plan.today(code, views.now())!;
	const { firstDay, lastDay } = plan.campaign;
	const latest = today.date < lastDay ? today.date : lastDay;
	if (asked !== null && !isLocalDate(asked)) throw new AppError('badDate', { given: asked });
	const date = asked ?? latest;
	if (latest < firstDay) throw new AppError('reportNotYet', { firstDay });
	if (date < firstDay || date > latest)
		throw new AppError('reportOutOfRange', { firstDay, latest, zone: today.zone, date });
	return date;
}

/**
 * Today's report of a region is built at most once per this many (real) milliseconds and shared
 * by everyone who opens it meanwhile (its "generated" time says when): the nation's counts the
 * sync states and gaps of all 820,161 TPS, about a quarter of a second of the server's time.
 */
const LIVE_REPORT_MS = 15_000;
/** Levels whose "furthest behind" list spreads over their children. */
const SPREAD_LEVELS: readonly RegionLevel[] = ['nation', 'province', 'regency'];
/** What a cached report holds: everything but what depends on who looks (the breadcrumb). */
type SharedReport = Omit<Report, 'parents'>;
const liveReports = new WeakMap<
	ViewDeps,
	Map<string, { expires: number; report: Promise<SharedReport> }>
>();

/**
 * Whoever may see a region sees all of its report but the breadcrumb, which stops at the highest
 * region the viewer may see: the shared part is built (and cached) as the nation sees it.
 */
const EVERYTHING: Principal = { role: 'admin', scope: NATION_CODE };

export async function report(
	views: ViewDeps,
	viewer: Principal,
	code: string,
	asked: string | null
): Promise<Report> {
	// Refuses a region the viewer may not see, and dates outside the campaign, before any cache.
	regionFor(views.store, viewer, code);
	const date = reportDate(views, code, asked);
	const parents = breadcrumb(views.store, viewer, code);
	if (date < views.plan().today(code, views.now())!.date)
		return { ...(await build(views, code, date)), parents };
	let cache = liveReports.get(views);
	if (!cache) liveReports.set(views, (cache = new Map()));
	const key = `${code}|${date}`;
	const now = Date.now();
	const hit = cache.get(key);
	if (hit && hit.expires > now) return { ...(await hit.report), parents };
	for (const [k, entry] of cache) if (entry.expires <= now) cache.delete(k);
	const built = build(views, code, date);
	cache.set(key, { expires: now + LIVE_REPORT_MS, report: built });
	built.catch(() => cache.delete(key));
	return { ...(await built), parents };
}

async function build(views: ViewDeps, code: string, date: string): Promise<SharedReport> {
	const view = viewRegion(views.store, EVERYTHING, code);
	const plan = views.plan();
	const campaign = plan.campaign!;
	const now = views.now();
	const zone = zoneOf(code);
	const final = date < plan.today(code, now)!.date;
	const db = views.db;
	const frozen = final ? await snapshotsOn(db, [code], date) : new Map();
	const own = frozen.get(code);
	if (final && !own) throw new AppError('dayNotFrozen', { date });
	// A past day's rows carry the forecast as it stood that evening (views/dashboard.ts).
	const board = await dashboard(views, EVERYTHING, code, final ? date : null);
	const previousRow =
		date > campaign.firstDay
			? (await snapshotsOn(db, [code], addDays(date, -1))).get(code)
			: undefined;

	// Above districts, the TPS furthest behind are taken from every child in turn (spreadGaps), so
	// the list names places to act on, not one province's ties.
	const spread = SPREAD_LEVELS.includes(view.region.level);
	const childCodes = view.children.map((c) => c.code);
	const childSet = new Set(childCodes);
	let states: Record<SyncState, number> | null;
	let gaps: TpsGap[] | null;
	if (final) {
		states = own.syncStates ? stateCounts(own.syncStates) : null;
		if (spread) {
			const frozenChildren = await snapshotsOn(db, childCodes, date);
			gaps = spreadGaps(
				new Map(childCodes.map((c) => [c, frozenChildren.get(c)?.largestGaps ?? []]))
			);
		} else gaps = own.largestGaps;
	} else {
		const tallies = tallyAt(
			{ activity: views.activity, plan, now },
			code,
			date,
			(c) => c === code || (spread && childSet.has(c)),
			() => true,
			true
		);
		const tallied = tallies.get(code);
		states = stateCounts(tallied?.states ?? []);
		gaps = spread
			? spreadGaps(new Map(childCodes.map((c) => [c, tallies.get(c)?.largestGaps ?? []])))
			: (tallied?.largestGaps ?? []);
	}

	const end = new Date(dayStart(addDays(date, 1), zone)).toISOString();
	const within = withinRegion(sql`subject_code`, code);
	const alertRows = await rows<{ rule: AlertRule; count: number }>(
		db,
		final
			? sql`select rule, count(*)::int as count from alerts where ${within}
					and opened_at < ${end}::timestamptz and (resolved_at is null or resolved_at >= ${end}::timestamptz)
					group by rule`
			: sql`select rule, count(*)::int as count from alerts where ${within} and status <> 'resolved'
					group by rule`
	);
	const alertCounts = new Map(alertRows.map((r) => [r.rule, r.count]));

	let largestGaps: ReportGap[] | null = null;
	if (gaps) {
		const villages = [...new Set(gaps.map((g) => g.code.slice(0, 10)))];
		const names = new Map(
			(
				await rows<{ code: string; name: string }>(
					db,
					sql`select code, name from regions
						where code in (select json_array_elements_text(${JSON.stringify(villages)}::json))`
				)
			).map((r) => [r.code, r.name])
		);
		largestGaps = gaps.map((g) => ({ ...g, villageName: names.get(g.code.slice(0, 10)) ?? '' }));
	}

	return {
		region: board.region,
		zone: zone.name,
		date,
		day: campaignDay(campaign, date),
		days: campaignLength(campaign),
		final,
		takenAt: own?.takenAt ?? null,
		reason: own?.reason ?? null,
		previous: previousRow
			? {
					date: previousRow.date,
					verified: previousRow.verified,
					target: previousRow.target,
					share: previousRow.targetShare
				}
			: null,
		children: [...board.children].sort(
			(a, b) => b.gap - a.gap || a.name.localeCompare(b.name, 'id')
		),
		series: board.series.filter((p) => p.date <= date),
		states,
		alerts: ALERT_RULES.map((rule) => ({ rule, count: alertCounts.get(rule) ?? 0 })),
		largestGaps,
		simulated: board.simulated,
		generatedAt: new Date(now).toISOString(),
		evidence: own
			? {
					heartbeats: own.heartbeats,
					digest: own.digest,
					witnessed: await witnessedBy(db, dayWindow(date, zoneOf(code))[1])
				}
			: null
	};
}
