/** The campaign and today's target for regions, each on its own zone's calendar. */
import { asc } from 'drizzle-orm';
import {
	campaignDay,
	campaignLength,
	localDate,
	targetShare,
	zoneOf
} from '../domain/target-curve';
import type { Database } from './db/client';
import { campaigns } from './db/schema';

export async function currentCampaign(db: Database) {
	const [campaign] = await db.select().from(campaigns).orderBy(asc(campaigns.id)).limit(1);
	return campaign ?? null;
}

export interface TodayTarget {
	/** The region's zone name (WIB, WITA, WIT) and local date. */
	zone: string;
	date: string;
	day: number;
	days: number;
	share: number;
}

export function todayTarget(
	campaign: { firstDay: string; lastDay: string },
	code: string,
	now = new Date()
): TodayTarget {
	const zone = zoneOf(code);
	const date = localDate(now, zone);
	return {
		zone: zone.name,
		date,
		day: campaignDay(campaign, date),
		days: campaignLength(campaign),
		share: targetShare(campaign, date)
	};
}
