/**
 * Daily targets, pure: the cumulative share of the list that should be verified by the end of a
 * day of the campaign (the calendar itself is calendar.ts). By default the curve rises linearly to 100% on the last day; an
 * admin may set points instead (day 10 = 40%, day 20 = 85%), interpolated linearly between.
 */
import { campaignDay, campaignLength, type Campaign } from './calendar';
import { AppError, type Problem, type ProblemValues } from './errors';

export interface CurvePoint {
	day: number;
	/** Cumulative share, 0..1. */
	share: number;
}

/**
 * The cumulative share that should be verified by the end of `date`: 0 before the campaign, 1 from
 * its last day on; in between linear over the days, or through the admin's points.
 */
export function targetShare(c: Campaign, date: string, points: readonly CurvePoint[] = []): number {
	const length = campaignLength(c);
	const day = campaignDay(c, date);
	if (day < 1) return 0;
	if (day >= length) return 1;
	const curve = [
		{ day: 0, share: 0 },
		...[...points].sort((a, b) => a.day - b.day),
		{ day: length, share: 1 }
	];
	for (let i = 1; i < curve.length; i++) {
		const [a, b] = [curve[i - 1], curve[i]];
		if (day <= b.day) return a.share + ((b.share - a.share) * (day - a.day)) / (b.day - a.day);
	}
	return 1;
}

/**
 * The field's working hours (local time): the field model works between these, so the day's
 * target is expected to be reached through them, not all at 00:00. Before 08:00 a region is
 * judged against yesterday's target, from 17:00 against today's whole target.
 */
export const WORK_HOURS = { start: 8, end: 17 } as const;

/**
 * What should be verified by `localHour` (0..24, with fractions) of a day whose target rises from
 * `before` (yesterday's end) to `end` (today's end): linear through the working hours.
 */
export function expectedShare(before: number, end: number, localHour: number): number {
	const fraction = Math.min(
		1,
		Math.max(0, (localHour - WORK_HOURS.start) / (WORK_HOURS.end - WORK_HOURS.start))
	);
	return before + (end - before) * fraction;
}

/** Voters still to verify to meet today's target (0 when ahead). */
export const gapToTarget = (verified: number, target: number, share: number) =>
	Math.max(0, Math.ceil(target * share) - verified);

/**
 * Reads curve points as an admin types them, `day=percent` separated by commas or new lines
 * ("10=40, 20=85"; a comma without a space after it is a decimal comma, 92,5), for a campaign
 * of `length` days. Days must rise within 1..length-1 and shares must rise within 0..100; the
 * last day is always 100%. Returns the points, or the problem (said by `problem.<code>` in i18n).
 */
export function parsePoints(
	text: string,
	length: number
): { points: CurvePoint[] } | { problem: Problem; values: ProblemValues } {
	const refuse = (problem: Problem, values: ProblemValues) => ({ problem, values });
	const points: CurvePoint[] = [];
	for (const part of text
		.split(/[;\n]|,\s+/)
		.map((p) => p.trim())
		.filter(Boolean)) {
		const match = /^(\d+)\s*=\s*(\d+(?:[.,]\d+)?)\s*%?$/.exec(part);
		if (!match) return refuse('pointsFormat', { part });
		const day = Number(match[1]);
		const percent = Number(match[2].replace(',', '.'));
		if (day < 1 || day >= length) return refuse('pointsDay', { day, max: length - 1 });
		if (percent < 0 || percent > 100) return refuse('pointsPercent', { percent });
		const previous = points.at(-1);
		if (previous && day <= previous.day)
			return refuse('pointsDaysRise', { day, previous: previous.day });
		if (previous && percent / 100 < previous.share)
			return refuse('pointsCumulative', { percent, day });
		points.push({ day, share: percent / 100 });
	}
	return { points };
}

/** parsePoints, throwing the problem as an AppError (for verbs). */
export function readPoints(text: string, length: number): CurvePoint[] {
	const parsed = parsePoints(text, length);
	if ('problem' in parsed) throw new AppError(parsed.problem, parsed.values);
	return parsed.points;
}

export const formatPoints = (points: readonly CurvePoint[]) =>
	points.map((p) => `${p.day}=${Math.round(p.share * 1000) / 10}`).join(', ');
