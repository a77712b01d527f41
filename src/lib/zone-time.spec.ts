import { describe, expect, it } from 'vitest';
import { formatZoneTime } from './zone-time';

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
