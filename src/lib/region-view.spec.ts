import { describe, expect, it } from 'vitest';
import { translator } from './i18n';
import { onDay, paceKey } from './region-view';

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
