/**
 * The parts of the rakor report that come from single TPS, pure: for every wanted region, how
 * many Pantarlih are in each sync state and which TPS are furthest behind the day's target. One
 * pass over the TPS feeds every region above each of them, so freezing a whole zone's day costs
 * one scan, not one per region.
 */
import {
	SYNC_STATES,
	type ActivityIndex,
	type ActivityThresholds,
	type SyncState
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

export interface RegionTally {
	/** Counts in SYNC_STATES order. */
	states: number[];
	/** Null for regions the caller did not ask gaps for. */
	largestGaps: TpsGap[] | null;
}

export interface TallyOptions {
	now: number;
	thresholds: ActivityThresholds;
	/** The day's cumulative target share in a village (its regency's or province's curve). */
	shareOf: (villageCode: string) => number;
	/** Regions to tally; every ancestor of every TPS is asked. */
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

/**
 * Digests the TPS of `scope` (a region code, or `id`) in one pass over the index. TPS come in code
 * order, so the regions above them (and the target share) change only when the village does;
 * a gap entry is built only for a TPS that makes a list.
 */
export function tally(
	index: ActivityIndex,
	scope: string,
	options: TallyOptions
): Map<string, RegionTally> {
	const { now, thresholds, shareOf, wanted } = options;
	const withGaps = options.withGaps ?? (() => true);
	const result = new Map<string, RegionTally>();
	const stateIndex = new Map(SYNC_STATES.map((s, i) => [s, i]));
	const [from, to] = index.range(scope);
	let village = -1;
	let targets: RegionTally[] = [];
	let gapTargets: TpsGap[][] = [];
	let share = 0;
	for (let i = from; i < to; i++) {
		const code = index.codeAt(i);
		const here = Math.floor(code / 1000);
		if (here !== village) {
			village = here;
			const villageCode = String(here).padStart(10, '0');
			share = shareOf(villageCode);
			targets = [];
			for (const region of [villageCode, ...ancestors(villageCode)]) {
				if (!wanted(region)) continue;
				let entry = result.get(region);
				if (!entry) {
					entry = { states: SYNC_STATES.map(() => 0), largestGaps: withGaps(region) ? [] : null };
					result.set(region, entry);
				}
				targets.push(entry);
			}
			gapTargets = targets.flatMap((t) => (t.largestGaps ? [t.largestGaps] : []));
		}
		if (targets.length === 0) continue;
		const state = index.stateAt(i, now, thresholds);
		const s = stateIndex.get(state)!;
		for (const entry of targets) entry.states[s] += 1;
		const verified = index.verifiedAt(i);
		const target = index.targetAt(i);
		const gap = gapToTarget(verified, target, share);
		if (gap <= 0) continue;
		let item: TpsGap | null = null;
		for (const list of gapTargets) {
			if (list.length === LARGEST_GAPS && gap < list[LARGEST_GAPS - 1].gap) continue;
			item ??= { code: String(code).padStart(13, '0'), verified, target, gap, state };
			keepLargest(list, item);
		}
	}
	return result;
}

/** A tally's state counts as a record, for the page. */
export const stateCounts = (states: readonly number[]): Record<SyncState, number> =>
	Object.fromEntries(SYNC_STATES.map((s, i) => [s, states[i] ?? 0])) as Record<SyncState, number>;

/**
 * The TPS furthest behind across a region's children, taken from each child's own list in turn
 * (the worst of every child first, then the second worst, …), so that the nation's list is not
 * ten TPS of one province that are all 10 voters short. Largest gap first within each round.
 */
export function spreadGaps(
	children: ReadonlyMap<string, readonly TpsGap[]>,
	n = LARGEST_GAPS
): TpsGap[] {
	const lists = [...children.values()]
		.map((list) => [...list].sort(byGap))
		.filter((l) => l.length > 0);
	const picked: TpsGap[] = [];
	for (let round = 0; picked.length < n; round++) {
		const layer = lists.flatMap((list) => (list[round] ? [list[round]] : [])).sort(byGap);
		if (layer.length === 0) break;
		picked.push(...layer.slice(0, n - picked.length));
	}
	return picked;
}
