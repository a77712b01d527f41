/**
 * The campaign plan: its dates, the target curve (the campaign's, or a province's or regency's
 * own), and the alert thresholds. Held in memory by the services and reloaded when an admin
 * changes it; every "today" is on the region's own zone's calendar.
 */
import { asc, eq } from 'drizzle-orm';
import {
	DEFAULT_ALERT_SETTINGS,
	alertSettingsSchema,
	type AlertSettings
} from '../../domain/alerts';
import { ancestors } from '../../domain/codes';
import { addDays, campaignDay, campaignLength, localDate, zoneOf } from '../../domain/calendar';
import { expectedShare, targetShare, type CurvePoint } from '../../domain/target-curve';
import type { Database } from '../platform/db/client';
import { alertSettings, campaigns, curveOverrides, type Campaign } from '../platform/db/schema';
import type { EventBus } from '../platform/events';
import { describe, logger } from '../platform/log';

export async function currentCampaign(db: Database): Promise<Campaign | null> {
	const [campaign] = await db.select().from(campaigns).orderBy(asc(campaigns.id)).limit(1);
	return campaign ?? null;
}

export interface TodayTarget {
	/** The region's zone name (WIB, WITA, WIT) and local date. */
	zone: string;
	date: string;
	day: number;
	days: number;
	/** What should be verified by now (this hour of the local day, through the working hours). */
	share: number;
	/** What should be verified by the end of the local day. */
	endShare: number;
}

export class Plan {
	constructor(
		readonly campaign: Campaign | null,
		readonly overrides: ReadonlyMap<string, CurvePoint[]>,
		readonly settings: AlertSettings
	) {}

	static async load(db: Database): Promise<Plan> {
		const campaign = await currentCampaign(db);
		const overrides = await db.select().from(curveOverrides);
		const [stored] = await db.select().from(alertSettings).where(eq(alertSettings.id, 1));
		const parsed = alertSettingsSchema.safeParse({
			...DEFAULT_ALERT_SETTINGS,
			...stored?.settings
		});
		return new Plan(
			campaign,
			new Map(overrides.map((o) => [o.regionCode, o.points])),
			parsed.success ? parsed.data : DEFAULT_ALERT_SETTINGS
		);
	}

	/** The curve that applies to a region: its own, its regency's or province's, or the campaign's. */
	curveFor(code: string): { points: CurvePoint[]; from: string | null } {
		for (const candidate of [code, ...ancestors(code)]) {
			const points = this.overrides.get(candidate);
			if (points) return { points, from: candidate };
		}
		return { points: this.campaign?.points ?? [], from: null };
	}

	/** The cumulative target share for a region at the end of a local date. */
	shareOn(code: string, date: string): number {
		if (!this.campaign) return 0;
		return targetShare(this.campaign, date, this.curveFor(code).points);
	}

	/**
	 * The share expected by `now` in the region's own zone: yesterday's end-of-day target rising to
	 * today's through the working hours (target-curve.ts WORK_HOURS). Every judgement made during
	 * the day (behind or on target, the shortfall, the alert) compares with this. It moves by the
	 * minute, so that a page and its download read within the same minute say the same shortfall.
	 */
	shareAt(code: string, now: number): number {
		if (!this.campaign) return 0;
		const zone = zoneOf(code);
		const minute = Math.floor(now / 60_000) * 60_000;
		const date = localDate(new Date(minute), zone);
		const hour = (((minute / 3_600_000 + zone.utcOffset) % 24) + 24) % 24;
		return expectedShare(this.shareOn(code, addDays(date, -1)), this.shareOn(code, date), hour);
	}

	today(code: string, now: number): TodayTarget | null {
		if (!this.campaign) return null;
		const zone = zoneOf(code);
		const date = localDate(new Date(now), zone);
		return {
			zone: zone.name,
			date,
			day: campaignDay(this.campaign, date),
			days: campaignLength(this.campaign),
			share: this.shareAt(code, now),
			endShare: this.shareOn(code, date)
		};
	}
}

/**
 * The plan as this process holds it: loaded at start, loaded again when someone changes it (here
 * or, through the bus, in another process) and at every scheduled run.
 */
export class PlanHolder {
	private reloading: Promise<unknown> = Promise.resolve();

	private constructor(
		private db: Database,
		private plan: Plan
	) {}

	static async load(db: Database): Promise<PlanHolder> {
		return new PlanHolder(db, await Plan.load(db));
	}

	/** The plan as last loaded. */
	current = (): Plan => this.plan;

	/** The plan once any reload in flight (after an edit) is done. */
	fresh = (): Promise<Plan> =>
		this.reloading.then(
			() => this.plan,
			() => this.plan
		);

	reload = (): Promise<unknown> =>
		(this.reloading = Plan.load(this.db).then((loaded) => {
			this.plan = loaded;
		}));

	listen(bus: EventBus): void {
		bus.on('planChanged', () =>
			this.reload().catch((error) => logger().error(`[plan] reload failed: ${describe(error)}`))
		);
	}
}
