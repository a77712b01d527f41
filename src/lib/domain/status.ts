/**
 * What a region's numbers say, in one word, the same everywhere (cards, tables, the report, its
 * PDF): pure, so that two places can never say two things. "On track" only when the coverage is
 * at or above the day's target; "at risk" when the pace of the last days would not finish by the
 * last day; "behind" otherwise; "done" at 100%. A finish date exists only once there is a pace.
 */
import type { Forecast } from './forecast';
import { coverage } from './coverage';

export const PACE_STATUSES = ['done', 'onTrack', 'behind', 'atRisk'] as const;
export type PaceStatus = (typeof PACE_STATUSES)[number];

export interface StatusInput {
	verified: number;
	target: number;
	/** The day's cumulative target share (0..1). */
	share: number;
	forecast: Pick<Forecast, 'finish' | 'atRisk'> | null;
}

export function paceStatus({ verified, target, share, forecast }: StatusInput): PaceStatus {
	if (target > 0 && verified >= target) return 'done';
	if (forecast?.atRisk) return 'atRisk';
	return (coverage(verified, target) ?? 0) >= share ? 'onTrack' : 'behind';
}

/** Finish dates in time order; none (no pace yet) after every date. For sorting columns. */
export function compareFinish(a: string | null | undefined, b: string | null | undefined): number {
	if (a === b) return 0;
	if (!a) return 1;
	if (!b) return -1;
	return a < b ? -1 : 1;
}

/**
 * What a forecast says about the finish, one way everywhere: a date; no pace yet to project from
 * (the first day); or a pace of zero that never finishes. Null when there is no forecast.
 */
export type FinishState = { kind: 'date'; date: string } | { kind: 'noPace' } | { kind: 'stalled' };

export function finishState(
	forecast: Pick<Forecast, 'finish' | 'atRisk'> | null | undefined
): FinishState | null {
	if (!forecast) return null;
	if (forecast.finish) return { kind: 'date', date: forecast.finish };
	return forecast.atRisk ? { kind: 'stalled' } : { kind: 'noPace' };
}
