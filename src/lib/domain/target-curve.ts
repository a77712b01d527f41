/**
 * Daily targets, pure: which of Indonesia's three time zones a region keeps, what "today" is
 * there, which day of the campaign that is, and the cumulative share of the list that should be
 * verified by the end of it. By default the curve rises linearly to 100% on the last day; an
 * admin may set points instead (day 10 = 40%, day 20 = 85%), interpolated linearly between.
 */
import { TZDate } from '@date-fns/tz';
import { differenceInCalendarDays, format, isValid, parseISO } from 'date-fns';
import { NATION_CODE, provinceOf } from './codes';

export const ZONES = {
	WIB: { name: 'WIB', iana: 'Asia/Jakarta', utcOffset: 7 },
	WITA: { name: 'WITA', iana: 'Asia/Makassar', utcOffset: 8 },
	WIT: { name: 'WIT', iana: 'Asia/Jayapura', utcOffset: 9 }
} as const;
export type Zone = (typeof ZONES)[keyof typeof ZONES];

const WITA_PROVINCES = new Set([
	'51',
	'52',
	'53',
	'63',
	'64',
	'65',
	'71',
	'72',
	'73',
	'74',
	'75',
	'76'
]);
const WIT_PROVINCES = new Set(['81', '82', '91', '92', '93', '94', '95', '96']);

/** The zone of a region, by its province; the nation keeps KPU RI's clock (WIB). */
export function zoneOf(code: string): Zone {
	if (code === NATION_CODE) return ZONES.WIB;
	const province = provinceOf(code)!;
	if (WIT_PROVINCES.has(province)) return ZONES.WIT;
	if (WITA_PROVINCES.has(province)) return ZONES.WITA;
	return ZONES.WIB;
}

/** True for a real calendar date written YYYY-MM-DD (2026-02-29 is not one). */
export function isLocalDate(text: string): boolean {
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false;
	const parsed = parseISO(text);
	return isValid(parsed) && format(parsed, 'yyyy-MM-dd') === text;
}

/** The calendar date (YYYY-MM-DD) at `now` in the zone. */
export function localDate(now: Date, zone: Zone): string {
	return format(new TZDate(now.getTime(), zone.iana), 'yyyy-MM-dd');
}

export interface Campaign {
	/** First and last day of coklit, local dates (YYYY-MM-DD), both included. */
	firstDay: string;
	lastDay: string;
}

/** Days in the campaign, first and last included. */
export const campaignLength = (c: Campaign) =>
	differenceInCalendarDays(parseISO(c.lastDay), parseISO(c.firstDay)) + 1;

/** 1 on the first day, campaignLength on the last; 0 before, more than the length after. */
export const campaignDay = (c: Campaign, date: string) =>
	differenceInCalendarDays(parseISO(date), parseISO(c.firstDay)) + 1;

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

/** Voters still to verify to meet today's target (0 when ahead). */
export const gapToTarget = (verified: number, target: number, share: number) =>
	Math.max(0, Math.ceil(target * share) - verified);

/**
 * Reads curve points as an admin types them, `day=percent` separated by commas or new lines
 * ("10=40, 20=85"; a comma without a space after it is a decimal comma, 92,5), for a campaign
 * of `length` days. Days must rise within 1..length-1 and shares
 * must rise within 0..100; the last day is always 100%. Returns the points or a message.
 */
export function parsePoints(
	text: string,
	length: number
): { points: CurvePoint[] } | { error: string } {
	const points: CurvePoint[] = [];
	for (const part of text
		.split(/[;\n]|,\s+/)
		.map((p) => p.trim())
		.filter(Boolean)) {
		const match = /^(\d+)\s*=\s*(\d+(?:[.,]\d+)?)\s*%?$/.exec(part);
		if (!match) return { error: `"${part}" is not day=percent (for example 10=40)` };
		const day = Number(match[1]);
		const percent = Number(match[2].replace(',', '.'));
		if (day < 1 || day >= length)
			return { error: `day ${day} is outside 1..${length - 1} (the last day is always 100%)` };
		if (percent < 0 || percent > 100) return { error: `${percent}% is outside 0..100` };
		const previous = points.at(-1);
		if (previous && day <= previous.day)
			return { error: `days must rise: ${day} after ${previous.day}` };
		if (previous && percent / 100 < previous.share)
			return {
				error: `the curve is cumulative: ${percent}% on day ${day} is below the day before`
			};
		points.push({ day, share: percent / 100 });
	}
	return { points };
}

export const formatPoints = (points: readonly CurvePoint[]) =>
	points.map((p) => `${p.day}=${Math.round(p.share * 1000) / 10}`).join(', ');
