import { describe, expect, it } from 'vitest';
import { formatDate, formatNumber, formatPercent, formatZoneTime } from './format';

describe('Indonesian number formats', () => {
	it('groups thousands with dots', () => {
		expect(formatNumber(1_234_567)).toBe('1.234.567');
		expect(formatNumber(820_161)).toBe('820.161');
	});

	it('writes percentages with a decimal comma', () => {
		expect(formatPercent(456, 1000)).toMatch(/^45,6\s?%$/);
		expect(formatPercent(0, 250)).toMatch(/^0,0\s?%$/);
	});

	it('shows a dash when the target is zero instead of NaN', () => {
		expect(formatPercent(0, 0)).toBe('–');
	});
});

describe('formatZoneTime', () => {
	it("shows one moment on each zone's clock, the Indonesian way", () => {
		const at = '2026-02-14T16:30:00Z';
		expect(formatZoneTime(at, 'WIB')).toBe('14 Feb 2026, 23.30 WIB');
		expect(formatZoneTime(at, 'WITA')).toBe('15 Feb 2026, 00.30 WITA');
		expect(formatZoneTime(Date.parse(at), 'WIT')).toBe('15 Feb 2026, 01.30 WIT');
	});

	it('falls back to WIB for an unknown zone name', () => {
		expect(formatZoneTime('2026-02-14T00:00:00Z', 'UTC')).toBe('14 Feb 2026, 07.00 WIB');
	});
});

describe('formatDate', () => {
	it('always says the year, the Indonesian way', () => {
		expect(formatDate('2026-12-05')).toBe('5 Des 2026');
		expect(formatDate('2028-03-05')).toBe('5 Mar 2028');
	});
});
