import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { campaignDay, campaignLength, localDate, zoneOf } from './calendar';
import {
	expectedShare,
	formatPoints,
	parsePoints,
	type CurvePoint,
	gapToTarget,
	targetShare
} from './target-curve';

// The 2023 national coklit: 12 February to 14 March (31 days).
const coklit2023 = { firstDay: '2023-02-12', lastDay: '2023-03-14' };

describe('the default linear curve', () => {
	it('spans 31 days in 2023, day 1 on 12 February', () => {
		expect(campaignLength(coklit2023)).toBe(31);
		expect(campaignDay(coklit2023, '2023-02-12')).toBe(1);
		expect(campaignDay(coklit2023, '2023-03-14')).toBe(31);
	});

	it('asks 1/31 on the first day and 100% on the last', () => {
		expect(targetShare(coklit2023, '2023-02-12')).toBeCloseTo(1 / 31);
		expect(targetShare(coklit2023, '2023-03-14')).toBe(1);
	});

	it('asks nothing before the start and everything after the end', () => {
		expect(targetShare(coklit2023, '2023-02-11')).toBe(0);
		expect(targetShare(coklit2023, '2023-04-01')).toBe(1);
	});

	it('gives Papua its next day an hour before Jakarta', () => {
		const now = new Date('2023-02-20T16:30:00Z');
		const papua = targetShare(coklit2023, localDate(now, zoneOf('91')));
		const jakarta = targetShare(coklit2023, localDate(now, zoneOf('31')));
		expect(papua - jakarta).toBeCloseTo(1 / 31);
	});
});

describe('an admin curve', () => {
	const points = [
		{ day: 10, share: 0.4 },
		{ day: 20, share: 0.85 }
	];
	it('passes through the points and interpolates between them', () => {
		expect(targetShare(coklit2023, '2023-02-21', points)).toBeCloseTo(0.4);
		expect(targetShare(coklit2023, '2023-02-16', points)).toBeCloseTo(0.2);
		expect(targetShare(coklit2023, '2023-03-03', points)).toBeCloseTo(0.85);
		expect(targetShare(coklit2023, '2023-03-14', points)).toBe(1);
	});
});

describe('gap to target', () => {
	it('counts voters still to verify today, never negative', () => {
		expect(gapToTarget(100, 1000, 0.25)).toBe(150);
		expect(gapToTarget(300, 1000, 0.25)).toBe(0);
	});
});

describe('parsePoints', () => {
	it('reads day=percent lists and formats them back', () => {
		const parsed = parsePoints('10=40, 20=85\n25 = 92,5%', 30);
		expect(parsed).toEqual({
			points: [
				{ day: 10, share: 0.4 },
				{ day: 20, share: 0.85 },
				{ day: 25, share: 0.925 }
			]
		});
		expect(formatPoints((parsed as { points: CurvePoint[] }).points)).toBe('10=40, 20=85, 25=92.5');
		expect(parsePoints('  ', 30)).toEqual({ points: [] });
	});
	it('names what is wrong as a problem code with its values, said in either language', () => {
		expect(parsePoints('10:40', 30)).toEqual({
			problem: 'pointsFormat',
			values: { part: '10:40' }
		});
		expect(parsePoints('30=90', 30)).toEqual({
			problem: 'pointsDay',
			values: { day: 30, max: 29 }
		});
		expect(parsePoints('10=140', 30)).toEqual({
			problem: 'pointsPercent',
			values: { percent: 140 }
		});
		expect(parsePoints('20=40, 10=50', 30)).toEqual({
			problem: 'pointsDaysRise',
			values: { day: 10, previous: 20 }
		});
		const cumulative = parsePoints('10=50, 20=40', 30);
		expect(cumulative).toEqual({ problem: 'pointsCumulative', values: { percent: 40, day: 20 } });
		const { problem, values } = cumulative as { problem: string; values: Record<string, number> };
		expect(translator('id')(`problem.${problem}`, values)).toBe(
			'Kurva bersifat kumulatif: 40% pada hari 20 lebih kecil dari hari sebelumnya'
		);
		expect(translator('en')('problem.pointsFormat', { part: '10:40' })).toBe(
			'"10:40" is not day=percent (for example 10=40)'
		);
	});
});

describe('what is expected by now', () => {
	const before = 2 / 31;
	const end = 3 / 31;
	it('is yesterday’s target before the working day and today’s after it', () => {
		expect(expectedShare(before, end, 0)).toBe(before);
		expect(expectedShare(before, end, 7.5)).toBe(before);
		expect(expectedShare(before, end, 17)).toBe(end);
		expect(expectedShare(before, end, 23.9)).toBe(end);
	});

	it('rises linearly through the working hours (08:00 to 17:00 local)', () => {
		expect(expectedShare(before, end, 12.5)).toBeCloseTo(before + (end - before) / 2);
		expect(expectedShare(before, end, 8 + 9 / 3)).toBeCloseTo(before + (end - before) / 3);
	});

	it('on day 1 at 07:30 expects nothing: no region is behind before work starts', () => {
		const day1End = targetShare(coklit2023, '2023-02-12');
		const eve = targetShare(coklit2023, '2023-02-11');
		expect(expectedShare(eve, day1End, 7.5)).toBe(0);
		expect(gapToTarget(0, 250, expectedShare(eve, day1End, 7.5))).toBe(0);
	});
});
