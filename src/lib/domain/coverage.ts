/**
 * Coverage maths, pure: which snapshot of a TPS wins, what a batch of snapshots does to a TPS,
 * and how TPS changes add up to every region above them. No I/O; the ingest path feeds it the
 * rows it locked and writes back what it returns.
 */
import { ancestors } from './codes';

/** Cumulative counts reported by a Pantarlih's phone at `recordedAt` (ms since epoch). */
export interface Snapshot {
	id: string;
	verified: number;
	tms: number;
	newVoters: number;
	pending: number;
	recordedAt: number;
}

/** A TPS's current progress: the winning snapshot's counts (zeros and null before any sync). */
export interface TpsProgress {
	code: string;
	target: number;
	verified: number;
	tms: number;
	newVoters: number;
	pending: number;
	recordedAt: number | null;
	heartbeatId: string | null;
}

export type Anomaly = 'decrease' | 'above_target';

/**
 * True when `candidate` should replace the snapshot behind `current`: it was recorded later,
 * or at the same moment with a larger `verified` (so a replayed or reordered stream converges
 * on the same answer whatever the arrival order).
 */
export function supersedes(
	candidate: Pick<Snapshot, 'recordedAt' | 'verified'>,
	current: Pick<TpsProgress, 'recordedAt' | 'verified'>
): boolean {
	if (current.recordedAt === null) return true;
	if (candidate.recordedAt !== current.recordedAt) return candidate.recordedAt > current.recordedAt;
	return candidate.verified > current.verified;
}

export interface TpsOutcome {
	before: TpsProgress;
	after: TpsProgress;
	/** Data-quality flags per snapshot id (the snapshot is stored either way). */
	anomalies: Map<string, Anomaly[]>;
}

/**
 * Applies a TPS's new snapshots in recorded order. A later snapshot that lowers `verified` still
 * becomes the progress (the phone's latest word) but is flagged; so is one above the target.
 * A late, older snapshot is kept by the caller but moves nothing.
 */
export function applySnapshots(before: TpsProgress, snapshots: readonly Snapshot[]): TpsOutcome {
	const ordered = [...snapshots].sort(
		(a, b) => a.recordedAt - b.recordedAt || a.verified - b.verified
	);
	let after = before;
	const anomalies = new Map<string, Anomaly[]>();
	for (const snapshot of ordered) {
		const flags: Anomaly[] = [];
		if (snapshot.verified > before.target) flags.push('above_target');
		if (supersedes(snapshot, after)) {
			if (after.recordedAt !== null && snapshot.verified < after.verified) flags.push('decrease');
			after = {
				...after,
				verified: snapshot.verified,
				tms: snapshot.tms,
				newVoters: snapshot.newVoters,
				pending: snapshot.pending,
				recordedAt: snapshot.recordedAt,
				heartbeatId: snapshot.id
			};
		}
		if (flags.length > 0) anomalies.set(snapshot.id, flags);
	}
	return { before, after, anomalies };
}

/** What one TPS contributes to the roll-up of every region above it. */
export interface Contribution {
	verified: number;
	/** Moves only when a roster import changes the TPS's target. */
	target: number;
	tpsSynced: number;
	tpsComplete: number;
}

/** The part of a TPS's progress that the roll-ups count. */
export type CountedTps = Pick<TpsProgress, 'code' | 'target' | 'verified' | 'recordedAt'>;

export function contribution(tps: CountedTps): Contribution {
	return {
		verified: tps.verified,
		target: tps.target,
		tpsSynced: tps.recordedAt === null ? 0 : 1,
		tpsComplete: tps.target > 0 && tps.verified >= tps.target ? 1 : 0
	};
}

export type RegionDelta = Contribution;

const ZERO: RegionDelta = { verified: 0, target: 0, tpsSynced: 0, tpsComplete: 0 };
const isZero = (d: RegionDelta) =>
	d.verified === 0 && d.target === 0 && d.tpsSynced === 0 && d.tpsComplete === 0;

/**
 * Sums the change of each TPS into every region above it (village up to the nation). Regions
 * whose totals do not move are left out, so their `version` does not move either.
 */
export function rollUp(
	changes: Iterable<{ before: CountedTps; after: CountedTps }>
): Map<string, RegionDelta> {
	const deltas = new Map<string, RegionDelta>();
	for (const { before, after } of changes) {
		const b = contribution(before);
		const a = contribution(after);
		const change = {
			verified: a.verified - b.verified,
			target: a.target - b.target,
			tpsSynced: a.tpsSynced - b.tpsSynced,
			tpsComplete: a.tpsComplete - b.tpsComplete
		};
		if (isZero(change)) continue;
		for (const region of ancestors(before.code)) {
			const sum = deltas.get(region) ?? { ...ZERO };
			sum.verified += change.verified;
			sum.target += change.target;
			sum.tpsSynced += change.tpsSynced;
			sum.tpsComplete += change.tpsComplete;
			deltas.set(region, sum);
		}
	}
	for (const [code, delta] of deltas) if (isZero(delta)) deltas.delete(code);
	return deltas;
}

/** Coverage as a ratio of verified to target; null when there is no target. */
export function coverage(verified: number, target: number): number | null {
	return target > 0 ? verified / target : null;
}
