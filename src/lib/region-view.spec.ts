import { describe, expect, it } from 'vitest';
import { translator } from './i18n';
import { axisTop, onDay, paceKey, timeTicks } from './region-view';

const id = translator('id');
const en = translator('en');

describe('words for the day shown', () => {
	it('today says "hari ini" or "saat ini"; a past date says "hari itu" or "pada tanggal itu", never either', () => {
		for (const key of [
			'region.todayTargetShort',
			'region.gap',
			'region.tpsToday',
			'map.gap',
			'table.gap',
			'table.syncedToday',
			'status.onTrack'
		]) {
			expect(id(onDay(key, true))).toMatch(/hari ini|saat ini/);
			expect(id(onDay(key, false))).not.toMatch(/hari ini|saat ini/);
			expect(id(onDay(key, false))).toMatch(/hari itu|pada tanggal itu/);
			expect(en(onDay(key, false))).not.toMatch(/today|by now|\bnow\b/i);
		}
	});

	it('"on track" on a past date is on that day\'s target; other states read the same either way', () => {
		expect(id(paceKey('onTrack', true))).toBe('sesuai target saat ini');
		expect(id(paceKey('onTrack', false))).toBe('sesuai target hari itu');
		for (const s of ['behind', 'atRisk', 'done'])
			expect(id(paceKey(s, false))).toBe(id(paceKey(s, true)));
	});
});

describe('charts for a campaign’s first days', () => {
	it('fit the axis to the data and the target, in steps of 5%', () => {
		expect(axisTop([{ coverage: 0.03, share: 0.033 }])).toBe(5);
		expect(axisTop([{ coverage: 0.12, share: 0.1 }])).toBe(15);
		expect(axisTop([{ coverage: 0.97, share: 1 }])).toBe(100);
		expect(axisTop([])).toBe(5);
	});

	it('put one tick at each local midnight over days, hours within a day', () => {
		const H = 3_600_000;
		const start = Date.parse('2026-12-07T01:00:00Z');
		// Three days in WIB (+7): midnights at 17:00 UTC.
		const days = timeTicks(start, start + 72 * H, 7);
		expect(days.map((t) => new Date(t + 7 * H).toISOString().slice(11, 16))).toEqual(
			days.map(() => '00:00')
		);
		expect(new Set(days.map((t) => new Date(t + 7 * H).toISOString().slice(0, 10))).size).toBe(
			days.length
		);
		const hours = timeTicks(start, start + 10 * H, 7);
		expect(hours.length).toBeGreaterThan(3);
		expect(hours.every((t) => (t + 7 * H) % (2 * H) === 0)).toBe(true);
	});
});
