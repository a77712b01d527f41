/**
 * The parts of the rakor report that come from single TPS, pure: for every wanted region, how
 * many Pantarlih are in each sync state and which TPS are furthest behind the day's target. One
 * pass over the TPS feeds every region above each of them, so freezing a whole zone's day costs
 * one scan, not one per region.
 */
import {
	syncState,
	SYNC_STATES,
	type ActivityThresholds,
	type SyncState,
	type TpsActivity
} from './activity';
import { ancestors } from './codes';
import { gapToTarget } from './target-curve';

/** How many TPS the report lists as furthest behind. */
export const LARGEST_GAPS = 10;

export interface TpsGap {
	code: string;
	verified: number;
	target: number;
	/** Voters short of the day's target (always above 0 in a list). */
	gap: number;
	state: SyncState;
}

export interface RegionDigest {
	/** Counts in SYNC_STATES order. */
	states: number[];
	/** Null for regions the caller did not ask gaps for. */
	largestGaps: TpsGap[] | null;
}

export interface DigestOptions {
	now: number;
	thresholds: ActivityThresholds;
	/** The day's cumulative target share for a TPS (its regency's curve). */
	shareOf: (tpsCode: string) => number;
	/** Regions to digest; every ancestor of every TPS is asked. */
	wanted: (regionCode: string) => boolean;
	/** Regions that also keep their largest gaps (default: all wanted). */
	withGaps?: (regionCode: string) => boolean;
}

/** Orders TPS by gap, largest first; equal gaps by code, so the list is stable. */
export const byGap = (a: TpsGap, b: TpsGap) =>
	b.gap - a.gap || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);

/** Adds `item` to a list kept sorted by `byGap` and at most LARGEST_GAPS long. */
function keepLargest(list: TpsGap[], item: TpsGap) {
	if (list.length === LARGEST_GAPS && byGap(item, list[LARGEST_GAPS - 1]) >= 0) return;
	let i = list.length;
	while (i > 0 && byGap(item, list[i - 1]) < 0) i--;
	list.splice(i, 0, item);
	if (list.length > LARGEST_GAPS) list.pop();
}

export function digest(
	tps: Iterable<TpsActivity>,
	options: DigestOptions
): Map<string, RegionDigest> {
	const { now, thresholds, shareOf, wanted } = options;
	const withGaps = options.withGaps ?? (() => true);
	const result = new Map<string, RegionDigest>();
	const regionsOf = new Map<string, RegionDigest[]>();
	const stateIndex = new Map(SYNC_STATES.map((s, i) => [s, i]));
	for (const row of tps) {
		const village = row.code.slice(0, 10);
		let targets = regionsOf.get(village);
		if (!targets) {
			targets = [];
			for (const code of ancestors(row.code)) {
				if (!wanted(code)) continue;
				let entry = result.get(code);
				if (!entry) {
					entry = { states: SYNC_STATES.map(() => 0), largestGaps: withGaps(code) ? [] : null };
					result.set(code, entry);
				}
				targets.push(entry);
			}
			regionsOf.set(village, targets);
		}
		if (targets.length === 0) continue;
		const state = syncState(row, now, thresholds);
		const gap = gapToTarget(row.verified, row.target, shareOf(row.code));
		const item: TpsGap | null =
			gap > 0 ? { code: row.code, verified: row.verified, target: row.target, gap, state } : null;
		const s = stateIndex.get(state)!;
		for (const entry of targets) {
			entry.states[s] += 1;
			if (item && entry.largestGaps) keepLargest(entry.largestGaps, item);
		}
	}
	return result;
}

/** A digest's state counts as a record, for the page. */
export const stateCounts = (states: readonly number[]): Record<SyncState, number> =>
	Object.fromEntries(SYNC_STATES.map((s, i) => [s, states[i] ?? 0])) as Record<SyncState, number>;
