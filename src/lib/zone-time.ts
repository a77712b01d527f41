/**
 * A moment as people in a region read it: its own zone's clock, the Indonesian way
 * ("26 Nov 2026, 01.09 WITA"). Intl knows the IANA zones; ZONES names them. Server and browser.
 */
import { ZONES } from './domain/target-curve';

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
