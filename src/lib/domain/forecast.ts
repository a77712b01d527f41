/**
 * Forecast for a region, pure: the pace of the last three local days, the day it would finish at
 * that pace, the daily pace still needed to reach 100% by the last day, and whether it is at risk
 * (the projection passes the last day).
 */
import { differenceInCalendarDays, parseISO } from 'date-fns';
import { addDays, type Campaign } from './calendar';

export interface Forecast {
	/** Voters a day over the last (up to) three days. */
	pace: number;
	/** Projected finish date (YYYY-MM-DD), null when the pace is zero and work remains. */
	finish: string | null;
	/** Voters a day still needed, from today to the last day included. */
	needed: number;
	atRisk: boolean;
}

/**
 * `closing` maps local dates to `verified` at the end of that day (the daily snapshots); `verified`
 * is the live value today.
 */
export function forecast(
	campaign: Campaign,
	today: string,
	verified: number,
	target: number,
	closing: ReadonlyMap<string, number>
): Forecast {
	const remaining = Math.max(0, target - verified);
	const daysLeft = Math.max(
		1,
		differenceInCalendarDays(parseISO(campaign.lastDay), parseISO(today)) + 1
	);
	const needed = Math.ceil(remaining / daysLeft);
	// The pace from the snapshot three days back (or the earliest one) to today's live value.
	let base: { days: number; verified: number } | null = null;
	for (let back = 3; back >= 1; back--) {
		const date = addDays(today, -back);
		const value = closing.get(date);
		if (value !== undefined) {
			base = { days: back, verified: value };
			break;
		}
	}
	const pace = base ? Math.max(0, (verified - base.verified) / base.days) : 0;
	if (remaining === 0) return { pace, finish: today, needed: 0, atRisk: false };
	// No closed day yet (the first day): nothing to project from, and no reason to raise a flag.
	if (!base) return { pace, finish: null, needed, atRisk: false };
	if (pace <= 0) return { pace, finish: null, needed, atRisk: true };
	const finish = addDays(today, Math.ceil(remaining / pace) - 1);
	return { pace, finish, needed, atRisk: finish > campaign.lastDay };
}
