/**
 * Alert rules, pure: each takes numbers, the clock and the thresholds and says whether its
 * condition holds. The server runs them on a schedule (regions, phones) and on ingestion (data
 * quality), and keeps one open alert per rule and subject: `reconcile` says which to open and which
 * cleared by themselves.
 */
import { z } from 'zod';
import { coverage, type TpsProgress } from './coverage';
import type { ActivityThresholds, TpsActivity } from './activity';

export const ALERT_RULES = [
	'behind_target',
	'silent_pantarlih',
	'stalled_tps',
	'stuck_pending',
	'data_quality'
] as const;
export type AlertRule = (typeof ALERT_RULES)[number];

/** The range of each threshold an admin may set, and whether it is a whole number. */
export const THRESHOLD_RANGES = {
	/** Behind target: coverage more than this many points below today's target... */
	behindPoints: { min: 0, max: 100, whole: false },
	/** ...at or after this local hour. */
	checkHour: { min: 0, max: 23, whole: true },
	silentHours: { min: 1, max: 24 * 30, whole: true },
	/** Never synced at all after this campaign day. */
	neverAfterDay: { min: 1, max: 60, whole: true },
	stalledDays: { min: 1, max: 30, whole: true },
	stuckPending: { min: 1, max: 5_000, whole: true },
	stuckHours: { min: 1, max: 24 * 30, whole: true },
	/** An implausible jump: more than this many voters... */
	jumpVoters: { min: 1, max: 5_000, whole: true },
	/** ...within this many minutes. */
	jumpMinutes: { min: 1, max: 24 * 60, whole: true }
} as const;
export type Threshold = keyof typeof THRESHOLD_RANGES;

const inRange = (field: Threshold) => {
	const { min, max, whole } = THRESHOLD_RANGES[field];
	return (whole ? z.number().int() : z.number()).min(min).max(max);
};

/** Thresholds an admin may change, with their defaults (below) and ranges (above). */
export const alertSettingsSchema = z
	.object({
		behindPoints: inRange('behindPoints'),
		checkHour: inRange('checkHour'),
		silentHours: inRange('silentHours'),
		neverAfterDay: inRange('neverAfterDay'),
		stalledDays: inRange('stalledDays'),
		stuckPending: inRange('stuckPending'),
		stuckHours: inRange('stuckHours'),
		jumpVoters: inRange('jumpVoters'),
		jumpMinutes: inRange('jumpMinutes')
	})
	.strict();
export type AlertSettings = z.infer<typeof alertSettingsSchema> & ActivityThresholds;

export const DEFAULT_ALERT_SETTINGS: AlertSettings = {
	behindPoints: 5,
	checkHour: 15,
	silentHours: 24,
	neverAfterDay: 2,
	stalledDays: 2,
	stuckPending: 50,
	stuckHours: 6,
	jumpVoters: 60,
	jumpMinutes: 10
};

export type Details = Record<string, number | string>;

export interface Condition {
	rule: AlertRule;
	subject: string;
	details: Details;
}

const HOUR = 3_600_000;

/**
 * Behind target: a region's coverage is more than `behindPoints` below today's target share. It
 * opens only at or after the check hour (local); once open it stays until the region catches up.
 */
export function behindTarget(
	region: { code: string; verified: number; target: number },
	share: number,
	localHour: number,
	alreadyOpen: boolean,
	s: AlertSettings
): Condition | null {
	const covered = coverage(region.verified, region.target);
	if (covered === null) return null;
	const behind = (share - covered) * 100;
	if (behind <= s.behindPoints) return null;
	if (!alreadyOpen && localHour < s.checkHour) return null;
	return {
		rule: 'behind_target',
		subject: region.code,
		details: {
			coverage: round4(covered),
			share: round4(share),
			behindPoints: Math.round(behind * 10) / 10,
			gap: Math.max(0, Math.ceil(region.target * share) - region.verified)
		}
	};
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

/** The phone rules for one TPS: silent Pantarlih, stalled TPS, records stuck on the phone. */
export function phoneConditions(
	t: TpsActivity,
	now: number,
	campaignDay: number,
	s: AlertSettings
): Condition[] {
	const found: Condition[] = [];
	if (t.target > 0 && t.verified >= t.target) return found;
	if (t.lastSyncAt === null) {
		if (campaignDay > s.neverAfterDay) {
			found.push({ rule: 'silent_pantarlih', subject: t.code, details: { never: 1 } });
		}
		return found;
	}
	const silentFor = (now - t.lastSyncAt) / HOUR;
	if (silentFor > s.silentHours) {
		found.push({
			rule: 'silent_pantarlih',
			subject: t.code,
			details: { hours: Math.floor(silentFor), lastSyncAt: new Date(t.lastSyncAt).toISOString() }
		});
	}
	const since = t.progressAt ?? t.firstSyncAt ?? t.lastSyncAt;
	const stalledFor = (now - since) / (24 * HOUR);
	if (stalledFor > s.stalledDays) {
		found.push({
			rule: 'stalled_tps',
			subject: t.code,
			details: { days: Math.floor(stalledFor), verified: t.verified, target: t.target }
		});
	}
	if (t.pending > s.stuckPending && t.pendingSince !== null) {
		const stuckFor = (now - t.pendingSince) / HOUR;
		if (stuckFor > s.stuckHours) {
			found.push({
				rule: 'stuck_pending',
				subject: t.code,
				details: { pending: t.pending, hours: Math.floor(stuckFor) }
			});
		}
	}
	return found;
}

/**
 * Data quality of one committed TPS change: a decrease, a count above the TPS target, or an
 * implausible jump (more than `jumpVoters` within `jumpMinutes` of the previous snapshot).
 */
export function qualityCondition(
	before: TpsProgress,
	after: TpsProgress,
	flags: readonly string[],
	s: AlertSettings
): Condition | null {
	const problems: string[] = [...new Set(flags)];
	if (
		before.recordedAt !== null &&
		after.recordedAt !== null &&
		after.verified - before.verified > s.jumpVoters &&
		after.recordedAt - before.recordedAt <= s.jumpMinutes * 60_000
	) {
		problems.push('jump');
	}
	if (problems.length === 0) return null;
	return {
		rule: 'data_quality',
		subject: after.code,
		details: {
			problems: problems.sort().join(','),
			before: before.verified,
			after: after.verified,
			target: after.target
		}
	};
}

/** Rules whose alerts close by themselves when the condition clears (data quality needs a person). */
export const SELF_CLEARING: readonly AlertRule[] = [
	'behind_target',
	'silent_pantarlih',
	'stalled_tps',
	'stuck_pending'
];

export const alertKey = (rule: string, subject: string) => `${rule}:${subject}`;

/**
 * Given the alerts now open (by key) and the conditions just evaluated for `rules`, which to open
 * (new subjects) and which resolved (open, evaluated, no longer holding).
 */
export function reconcile<Id>(
	open: ReadonlyMap<string, Id>,
	conditions: readonly Condition[],
	rules: readonly AlertRule[]
): { toOpen: Condition[]; toResolve: Id[]; stillOpen: Id[] } {
	const holding = new Map(conditions.map((c) => [alertKey(c.rule, c.subject), c]));
	const toOpen = [...holding].filter(([key]) => !open.has(key)).map(([, c]) => c);
	const toResolve: Id[] = [];
	const stillOpen: Id[] = [];
	for (const [key, id] of open) {
		const rule = key.slice(0, key.indexOf(':')) as AlertRule;
		if (!rules.includes(rule) || !SELF_CLEARING.includes(rule)) continue;
		if (holding.has(key)) stillOpen.push(id);
		else toResolve.push(id);
	}
	return { toOpen, toResolve, stillOpen };
}
