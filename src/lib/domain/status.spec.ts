import { describe, expect, it } from 'vitest';
import { compareFinish, finishState, paceStatus } from './status';

describe('paceStatus', () => {
	it('day 1, 0.8% against a 3.3% target, no pace yet: behind, never "on track"', () => {
		expect(paceStatus({ verified: 8, target: 1_000, share: 0.033, forecast: null })).toBe('behind');
		expect(
			paceStatus({
				verified: 8,
				target: 1_000,
				share: 0.033,
				forecast: { finish: null, atRisk: false }
			})
		).toBe('behind');
	});

	it('"on track" only at or above the day\'s target', () => {
		expect(paceStatus({ verified: 330, target: 1_000, share: 0.33, forecast: null })).toBe(
			'onTrack'
		);
		expect(paceStatus({ verified: 329, target: 1_000, share: 0.33, forecast: null })).toBe(
			'behind'
		);
	});

	it('a projection past the last day is "at risk", even when today\'s target is met', () => {
		const slow = { finish: '2027-01-20', atRisk: true };
		expect(paceStatus({ verified: 500, target: 1_000, share: 0.4, forecast: slow })).toBe('atRisk');
		// "Will not finish at this pace" and "on track" are never said at once.
		expect(paceStatus({ verified: 10, target: 1_000, share: 0.5, forecast: slow })).not.toBe(
			'onTrack'
		);
	});

	it('done at 100%, whatever the forecast said', () => {
		expect(
			paceStatus({
				verified: 1_000,
				target: 1_000,
				share: 0.2,
				forecast: { finish: null, atRisk: true }
			})
		).toBe('done');
	});
});

describe('compareFinish', () => {
	it('orders by the real date, years included; none last', () => {
		// Jember finishing 5 March 2028 comes after Pacitan's 26 August 2027.
		const finishes = ['2028-03-05', null, '2027-08-26', '2026-12-31'];
		expect([...finishes].sort(compareFinish)).toEqual([
			'2026-12-31',
			'2027-08-26',
			'2028-03-05',
			null
		]);
	});
});

describe('finishState', () => {
	it('a date when there is one; before any pace exists, "no pace yet", not "never"', () => {
		expect(finishState({ finish: '2027-03-06', atRisk: true })).toEqual({
			kind: 'date',
			date: '2027-03-06'
		});
		// Day 1: no closed day to measure a pace from.
		expect(finishState({ finish: null, atRisk: false })).toEqual({ kind: 'noPace' });
		// Days of zero progress: at this pace it never finishes.
		expect(finishState({ finish: null, atRisk: true })).toEqual({ kind: 'stalled' });
		expect(finishState(null)).toBeNull();
	});
});
