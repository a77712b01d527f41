/**
 * The coklit calendar, pure: which of Indonesia's three time zones a region keeps (its province's;
 * the nation keeps KPU RI's WIB), what "today" is there, where a local day starts, which day of the
 * campaign a date is, and day arithmetic on local dates written YYYY-MM-DD.
 */
import { TZDate } from '@date-fns/tz';
import {
	addDays as addCalendarDays,
	differenceInCalendarDays,
	format,
	isValid,
	parseISO
} from 'date-fns';
import { NATION_CODE, provinceOf } from './codes';

const HOUR = 3_600_000;

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

/** Local midnight (UTC ms) at the start of `date` in the zone. */
export const dayStart = (date: string, zone: Zone) =>
	Date.parse(`${date}T00:00:00Z`) - zone.utcOffset * HOUR;

/** The local date `days` after `date` (before, when negative). */
export const addDays = (date: string, days: number) =>
	format(addCalendarDays(parseISO(date), days), 'yyyy-MM-dd');

const DAY_MS = 86_400_000;
/** The date part of the days written lately ("2026-11-23T"): a day's lines span two or three. */
const dayTexts = new Map<number, string>();
const two = (n: number) => (n < 10 ? `0${n}` : `${n}`);
const three = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

/**
 * `new Date(ms).toISOString()`, the date's text kept from earlier calls (whole ms in the years
 * 1970 to 9999; any other time goes through Date).
 */
export function isoTime(ms: number): string {
	if (!(ms >= 0 && ms < 253_402_300_800_000) || !Number.isInteger(ms))
		return new Date(ms).toISOString();
	const day = Math.floor(ms / DAY_MS);
	let dayText = dayTexts.get(day);
	if (dayText === undefined) {
		if (dayTexts.size >= 64) dayTexts.clear();
		dayText = new Date(day * DAY_MS).toISOString().slice(0, 11);
		dayTexts.set(day, dayText);
	}
	const rest = ms - day * DAY_MS;
	return `${dayText}${two(Math.floor(rest / 3_600_000))}:${two(Math.floor((rest % 3_600_000) / 60_000))}:${two(Math.floor((rest % 60_000) / 1000))}.${three(rest % 1000)}Z`;
}
