import { describe, expect, it } from 'vitest';
import { forecast } from './forecast';

const campaign = { firstDay: '2026-02-12', lastDay: '2026-03-13' };

describe('forecast', () => {
	it('projects the finish from the last three days and the pace still needed', () => {
		const closing = new Map([
			['2026-02-17', 300],
			['2026-02-18', 400],
			['2026-02-19', 500]
		]);
		// 600 - 300 over 3 days = 100 a day; 400 left: done on the 4th day counting today.
		const f = forecast(campaign, '2026-02-20', 600, 1_000, closing);
		expect(f.pace).toBe(100);
		expect(f.finish).toBe('2026-02-23');
		expect(f.atRisk).toBe(false);
		// 22 days from 20 Feb to 13 Mar included.
		expect(f.needed).toBe(Math.ceil(400 / 22));
	});

	it('is at risk when the projection passes the last day, or nothing moves', () => {
		const slow = forecast(campaign, '2026-03-10', 500, 1_000, new Map([['2026-03-09', 490]]));
		expect(slow.pace).toBe(10);
		expect(slow.finish).toBe('2026-04-28');
		expect(slow.atRisk).toBe(true);
		const stuck = forecast(campaign, '2026-03-10', 500, 1_000, new Map([['2026-03-07', 500]]));
		expect(stuck).toMatchObject({ pace: 0, finish: null, atRisk: true });
	});

	it('without a closed day there is no projection and no flag; a finished region is not at risk', () => {
		expect(forecast(campaign, '2026-02-12', 0, 1_000, new Map())).toMatchObject({
			pace: 0,
			finish: null,
			atRisk: false
		});
		expect(forecast(campaign, '2026-02-20', 1_000, 1_000, new Map())).toMatchObject({
			finish: '2026-02-20',
			needed: 0,
			atRisk: false
		});
	});
});
