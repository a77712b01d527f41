import { describe, expect, it } from 'vitest';
import type { TpsActivity } from './activity';
import {
	DEFAULT_ALERT_SETTINGS as s,
	alertKey,
	alertSettingsSchema,
	behindTarget,
	phoneConditions,
	qualityCondition,
	reconcile
} from './alerts';
import type { TpsProgress } from './coverage';

const H = 3_600_000;
const NOW = Date.parse('2026-02-20T08:00:00Z');

describe('behind target', () => {
	const region = { code: '3501', verified: 300, target: 1_000 };
	it('opens only from the check hour, when more than the threshold below', () => {
		expect(behindTarget(region, 0.36, 15, false, s)).toMatchObject({
			rule: 'behind_target',
			subject: '3501',
			details: { behindPoints: 6, gap: 60 }
		});
		expect(behindTarget(region, 0.36, 14, false, s)).toBeNull();
		expect(behindTarget(region, 0.35, 15, false, s)).toBeNull();
	});
	it('stays open before the check hour once open, and clears when the region catches up', () => {
		expect(behindTarget(region, 0.36, 9, true, s)).not.toBeNull();
		expect(behindTarget({ ...region, verified: 320 }, 0.36, 16, true, s)).toBeNull();
	});
	it('ignores regions without a target', () => {
		expect(behindTarget({ code: '35', verified: 0, target: 0 }, 1, 20, false, s)).toBeNull();
	});
});

const tps = (extra: Partial<TpsActivity> = {}): TpsActivity => ({
	code: '3501010001001',
	target: 200,
	verified: 50,
	pending: 0,
	firstSyncAt: NOW - 80 * H,
	lastSyncAt: NOW - H,
	progressAt: NOW - H,
	pendingSince: null,
	...extra
});
const rules = (t: TpsActivity, day = 5) => phoneConditions(t, NOW, day, s).map((c) => c.rule);

describe('phone rules', () => {
	it('silent: no heartbeat for 24 h, or none at all after day 2', () => {
		expect(rules(tps({ lastSyncAt: NOW - 25 * H }))).toContain('silent_pantarlih');
		expect(rules(tps({ lastSyncAt: NOW - 23 * H }))).not.toContain('silent_pantarlih');
		const never = tps({ lastSyncAt: null, firstSyncAt: null, progressAt: null });
		expect(rules(never, 2)).toEqual([]);
		expect(rules(never, 3)).toEqual(['silent_pantarlih']);
	});
	it('stalled: no rise for 2 days while under target', () => {
		expect(rules(tps({ progressAt: NOW - 49 * H }))).toEqual(['stalled_tps']);
		expect(rules(tps({ progressAt: NOW - 49 * H, verified: 200 }))).toEqual([]);
	});
	it('stuck: pending above 50 for more than 6 hours', () => {
		expect(rules(tps({ pending: 51, pendingSince: NOW - 7 * H }))).toEqual(['stuck_pending']);
		expect(rules(tps({ pending: 51, pendingSince: NOW - 5 * H }))).toEqual([]);
	});
});

describe('data quality', () => {
	const state = (verified: number, minutes: number): TpsProgress => ({
		code: '3501010001001',
		target: 200,
		verified,
		tms: 0,
		newVoters: 0,
		pending: 0,
		recordedAt: NOW + minutes * 60_000,
		heartbeatId: null
	});
	it('flags decreases and counts above target from the ingest flags', () => {
		expect(qualityCondition(state(50, 0), state(45, 5), ['decrease'], s)?.details.problems).toBe(
			'decrease'
		);
		expect(qualityCondition(state(50, 0), state(60, 5), [], s)).toBeNull();
	});
	it('flags an implausible jump: more than 60 voters within 10 minutes', () => {
		expect(qualityCondition(state(50, 0), state(111, 10), [], s)?.details.problems).toBe('jump');
		expect(qualityCondition(state(50, 0), state(110, 10), [], s)).toBeNull();
		expect(qualityCondition(state(50, 0), state(200, 11), [], s)).toBeNull();
		expect(qualityCondition({ ...state(0, 0), recordedAt: null }, state(100, 1), [], s)).toBeNull();
	});
});

describe('reconcile', () => {
	it('opens new subjects once, resolves cleared ones, leaves other rules and data quality alone', () => {
		const open = new Map([
			[alertKey('silent_pantarlih', 'A'), 1],
			[alertKey('silent_pantarlih', 'B'), 2],
			[alertKey('behind_target', '35'), 3],
			[alertKey('data_quality', 'A'), 4]
		]);
		const result = reconcile(
			open,
			[
				{ rule: 'silent_pantarlih', subject: 'A', details: {} },
				{ rule: 'silent_pantarlih', subject: 'C', details: {} },
				{ rule: 'silent_pantarlih', subject: 'C', details: {} }
			],
			['silent_pantarlih', 'stalled_tps', 'stuck_pending', 'data_quality']
		);
		expect(result.toOpen.map((c) => c.subject)).toEqual(['C']);
		expect(result.toResolve).toEqual([2]);
		expect(result.stillOpen).toEqual([1]);
	});
});

describe('settings', () => {
	it('accepts the defaults and names a bad value', () => {
		expect(alertSettingsSchema.parse(s)).toEqual(s);
		const bad = alertSettingsSchema.safeParse({ ...s, checkHour: 25 });
		expect(bad.success).toBe(false);
		expect(bad.error?.issues[0].path).toEqual(['checkHour']);
	});
});
