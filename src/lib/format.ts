/**
 * How numbers and moments are written, the Indonesian way, in both languages (as the commission
 * writes them): 1.234.567, 45,6%, and a moment on its region's own clock ("26 Nov 2026, 01.09
 * WITA"; Intl knows the IANA zones, calendar.ts names them). Shared by server and browser.
 */
import { ZONES } from './domain/calendar';
import { coverage } from './domain/coverage';

const integer = new Intl.NumberFormat('id-ID', { maximumFractionDigits: 0 });
const percent = new Intl.NumberFormat('id-ID', {
	style: 'percent',
	minimumFractionDigits: 1,
	maximumFractionDigits: 1
});

export const formatNumber = (value: number) => integer.format(value);

const decimals = new Map<number, Intl.NumberFormat>();
/** A number with exactly `digits` decimals, the Indonesian way: -8,13887. */
export function formatDecimal(value: number, digits: number): string {
	let format = decimals.get(digits);
	if (!format)
		decimals.set(
			digits,
			(format = new Intl.NumberFormat('id-ID', {
				minimumFractionDigits: digits,
				maximumFractionDigits: digits,
				useGrouping: false
			}))
		);
	return format.format(value);
}

/** A ratio as a percentage with one decimal; a dash when there is nothing to divide by. */
export function formatPercent(numerator: number, denominator: number): string {
	const ratio = coverage(numerator, denominator);
	return ratio === null ? '–' : percent.format(ratio);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** `at`: ISO text or ms since the epoch; `zone`: WIB, WITA or WIT (WIB for anything else). */
export function formatZoneTime(at: string | number, zone: string): string {
	const known = ZONES[zone as keyof typeof ZONES] ?? ZONES.WIB;
	let formatter = formatters.get(known.name);
	if (!formatter) {
		formatter = new Intl.DateTimeFormat('id-ID', {
			dateStyle: 'medium',
			timeStyle: 'short',
			timeZone: known.iana
		});
		formatters.set(known.name, formatter);
	}
	return `${formatter.format(new Date(at))} ${known.name}`;
}

const dateWithYear = new Intl.DateTimeFormat('id-ID', {
	day: 'numeric',
	month: 'short',
	year: 'numeric',
	timeZone: 'UTC'
});

/** A local date (YYYY-MM-DD) with its year, as the commission writes it: "5 Des 2026". */
export const formatDate = (date: string) => dateWithYear.format(new Date(`${date}T00:00:00Z`));
