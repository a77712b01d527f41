import { describe, expect, it } from 'vitest';
import { addDays, dayStart, isLocalDate, localDate, zoneOf, ZONES } from './calendar';

describe('zones', () => {
	it.each([
		['id', 'WIB'],
		['31', 'WIB'],
		['3523012001001', 'WIB'],
		['61', 'WIB'],
		['51', 'WITA'],
		['6401', 'WITA'],
		['7501', 'WITA'],
		['81', 'WIT'],
		['9501', 'WIT']
	])('%s keeps %s', (code, zone) => {
		expect(zoneOf(code).name).toBe(zone);
	});

	it('at 16:30 UTC it is still the 12th in Jakarta but already the 13th in Makassar and Jayapura', () => {
		const now = new Date('2023-02-12T16:30:00Z');
		expect(localDate(now, ZONES.WIB)).toBe('2023-02-12');
		expect(localDate(now, ZONES.WITA)).toBe('2023-02-13');
		expect(localDate(now, ZONES.WIT)).toBe('2023-02-13');
	});

	it('midnight in Jakarta is 17:00 UTC the day before', () => {
		expect(localDate(new Date('2023-02-12T16:59:59Z'), ZONES.WIB)).toBe('2023-02-12');
		expect(localDate(new Date('2023-02-12T17:00:00Z'), ZONES.WIB)).toBe('2023-02-13');
	});
});

describe('isLocalDate', () => {
	it('takes real dates as YYYY-MM-DD and nothing else', () => {
		expect(isLocalDate('2026-02-28')).toBe(true);
		expect(isLocalDate('2028-02-29')).toBe(true);
		expect(isLocalDate('2026-02-29')).toBe(false);
		expect(isLocalDate('2026-02-31')).toBe(false);
		expect(isLocalDate('2026-13-01')).toBe(false);
		expect(isLocalDate('2026-2-1')).toBe(false);
		expect(isLocalDate('kemarin')).toBe(false);
	});
});

describe('local days', () => {
	it('start at local midnight in each zone', () => {
		expect(new Date(dayStart('2026-11-24', ZONES.WIB)).toISOString()).toBe(
			'2026-11-23T17:00:00.000Z'
		);
		expect(new Date(dayStart('2026-11-24', ZONES.WIT)).toISOString()).toBe(
			'2026-11-23T15:00:00.000Z'
		);
	});

	it('add and subtract across month and year ends', () => {
		expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
		expect(addDays('2024-03-01', -1)).toBe('2024-02-29');
		expect(addDays('2026-11-24', 0)).toBe('2026-11-24');
	});
});
