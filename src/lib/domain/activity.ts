/**
 * What each Pantarlih's phone has been doing, for every TPS in the country, in typed arrays
 * ordered by TPS code (820,161 TPS fit in about 40 MB): when it last synced, when its count last
 * rose, since when records wait on the phone. The TPS of a region are one contiguous range of
 * that order, so "TPS synced today" or "silent for 24 hours" for any region is one scan, and a
 * Pantarlih's sync state (belum pernah, senyap, tertahan, macet, belum mulai, aktif, selesai) is a pure
 * function of its row, the clock and the thresholds.
 */
import { NATION_CODE } from './codes';

export interface TpsActivity {
	code: string;
	target: number;
	verified: number;
	pending: number;
	/** Server times in ms since the epoch, or null. */
	firstSyncAt: number | null;
	lastSyncAt: number | null;
	progressAt: number | null;
	pendingSince: number | null;
}

/** Thresholds shared by the sync states and the alert rules (admin-editable, see alerts.ts). */
export interface ActivityThresholds {
	/** `senyap`: no heartbeat for this many hours. */
	silentHours: number;
	/** `tertahan`: more than this many records waiting on the phone... */
	stuckPending: number;
	/** ...for more than this many hours. */
	stuckHours: number;
	/** `macet`: syncing but `verified` has not risen for this many days. */
	stalledDays: number;
}

/**
 * The states in the order they are stored (frozen days keep their counts in this order, so a new
 * state goes at the end): `belum_mulai` (synced, nothing verified yet) came later.
 */
export const SYNC_STATES = [
	'belum_pernah',
	'senyap',
	'tertahan',
	'macet',
	'aktif',
	'selesai',
	'belum_mulai'
] as const;
export type SyncState = (typeof SYNC_STATES)[number];

/** The states in the order people read them: most in need of a call first. */
export const SYNC_STATE_ORDER: readonly SyncState[] = [
	'belum_pernah',
	'senyap',
	'tertahan',
	'macet',
	'belum_mulai',
	'aktif',
	'selesai'
];

const HOUR = 3_600_000;

/** A Pantarlih's sync state at `now`; the first that applies, in the order of SYNC_STATES' meaning. */
export function syncState(t: TpsActivity, now: number, th: ActivityThresholds): SyncState {
	if (t.target > 0 && t.verified >= t.target) return 'selesai';
	if (t.lastSyncAt === null) return 'belum_pernah';
	if (now - t.lastSyncAt > th.silentHours * HOUR) return 'senyap';
	if (
		t.pending > th.stuckPending &&
		t.pendingSince !== null &&
		now - t.pendingSince > th.stuckHours * HOUR
	)
		return 'tertahan';
	const since = t.progressAt ?? t.firstSyncAt ?? t.lastSyncAt;
	if (now - since > th.stalledDays * 24 * HOUR) return 'macet';
	// Syncing, but not one voter verified yet: not "aktif", whose count rises.
	if (t.verified === 0) return 'belum_mulai';
	return 'aktif';
}

const NONE = Number.NaN;
const toMs = (value: number | null) => (value === null ? NONE : value);
const fromMs = (value: number) => (Number.isNaN(value) ? null : value);

export class ActivityIndex {
	readonly size: number;
	private codes: Float64Array;
	private target: Int32Array;
	private verified: Int32Array;
	private pending: Int32Array;
	private firstSync: Float64Array;
	private lastSync: Float64Array;
	private progress: Float64Array;
	private pendingSince: Float64Array;

	/** `rows` in any order; they are sorted by code. */
	constructor(rows: readonly TpsActivity[]) {
		const sorted = [...rows].sort((a, b) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0));
		const n = (this.size = sorted.length);
		this.codes = new Float64Array(n);
		this.target = new Int32Array(n);
		this.verified = new Int32Array(n);
		this.pending = new Int32Array(n);
		this.firstSync = new Float64Array(n);
		this.lastSync = new Float64Array(n);
		this.progress = new Float64Array(n);
		this.pendingSince = new Float64Array(n);
		sorted.forEach((row, i) => {
			this.codes[i] = Number(row.code);
			this.target[i] = row.target;
			this.verified[i] = row.verified;
			this.pending[i] = row.pending;
			this.firstSync[i] = toMs(row.firstSyncAt);
			this.lastSync[i] = toMs(row.lastSyncAt);
			this.progress[i] = toMs(row.progressAt);
			this.pendingSince[i] = toMs(row.pendingSince);
		});
	}

	private lowerBound(value: number): number {
		let lo = 0;
		let hi = this.size;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.codes[mid] < value) lo = mid + 1;
			else hi = mid;
		}
		return lo;
	}

	/** The index range [from, to) of the TPS inside a region (or one TPS). */
	range(code: string): [number, number] {
		if (code === NATION_CODE) return [0, this.size];
		const scale = 10 ** (13 - code.length);
		const base = Number(code) * scale;
		return [this.lowerBound(base), this.lowerBound(base + scale)];
	}

	indexOf(code: string): number {
		const [from, to] = this.range(code);
		return code.length === 13 && to > from ? from : -1;
	}

	row(i: number): TpsActivity {
		return {
			code: String(this.codes[i]).padStart(13, '0'),
			target: this.target[i],
			verified: this.verified[i],
			pending: this.pending[i],
			firstSyncAt: fromMs(this.firstSync[i]),
			lastSyncAt: fromMs(this.lastSync[i]),
			progressAt: fromMs(this.progress[i]),
			pendingSince: fromMs(this.pendingSince[i])
		};
	}

	/** TPS i's code as a number (13 digits), its count and its target, without building its row. */
	codeAt(i: number): number {
		return this.codes[i];
	}
	/** TPS i's code as text. */
	codeOf(i: number): string {
		return String(this.codes[i]).padStart(13, '0');
	}
	/** TPS i's last sync (ms), null when it never synced. */
	lastSyncAt(i: number): number | null {
		return fromMs(this.lastSync[i]);
	}
	verifiedAt(i: number): number {
		return this.verified[i];
	}
	targetAt(i: number): number {
		return this.target[i];
	}

	/** `syncState` of TPS i, read straight from the arrays (scans of every TPS use this). */
	stateAt(i: number, now: number, th: ActivityThresholds): SyncState {
		if (this.target[i] > 0 && this.verified[i] >= this.target[i]) return 'selesai';
		const last = this.lastSync[i];
		if (Number.isNaN(last)) return 'belum_pernah';
		if (now - last > th.silentHours * HOUR) return 'senyap';
		const pendingSince = this.pendingSince[i];
		if (
			this.pending[i] > th.stuckPending &&
			!Number.isNaN(pendingSince) &&
			now - pendingSince > th.stuckHours * HOUR
		)
			return 'tertahan';
		const progress = this.progress[i];
		const first = this.firstSync[i];
		const since = !Number.isNaN(progress) ? progress : !Number.isNaN(first) ? first : last;
		if (now - since > th.stalledDays * 24 * HOUR) return 'macet';
		if (this.verified[i] === 0) return 'belum_mulai';
		return 'aktif';
	}

	/** A committed heartbeat: the TPS's count and pending after it, received at `at`. */
	record(code: string, after: { verified: number; pending: number }, at: number): void {
		const i = this.indexOf(code);
		if (i < 0) return;
		if (Number.isNaN(this.firstSync[i])) this.firstSync[i] = at;
		this.lastSync[i] = Math.max(at, Number.isNaN(this.lastSync[i]) ? at : this.lastSync[i]);
		if (after.verified > this.verified[i]) this.progress[i] = at;
		if (after.pending === 0) this.pendingSince[i] = NONE;
		else if (Number.isNaN(this.pendingSince[i])) this.pendingSince[i] = at;
		this.verified[i] = after.verified;
		this.pending[i] = after.pending;
	}

	/** A new target for a TPS (a roster import). */
	setTarget(code: string, target: number): void {
		const i = this.indexOf(code);
		if (i >= 0) this.target[i] = target;
	}

	/**
	 * For a region: TPS whose phone synced at or after `since` (the start of the local day);
	 * Pantarlih silent for more than `silentHours` (synced before, quiet since); and Pantarlih who
	 * never synced. Two different things, counted and named apart.
	 */
	counts(
		code: string,
		now: number,
		since: number,
		silentHours: number
	): { syncedToday: number; silent: number; never: number } {
		const [from, to] = this.range(code);
		const silentBefore = now - silentHours * HOUR;
		let syncedToday = 0;
		let silent = 0;
		let never = 0;
		for (let i = from; i < to; i++) {
			const last = this.lastSync[i];
			if (Number.isNaN(last)) never += 1;
			else {
				if (last >= since) syncedToday += 1;
				if (last < silentBefore) silent += 1;
			}
		}
		return { syncedToday, silent, never };
	}

	/**
	 * A cheap numeric pre-check for the phone alert rules (domain/alerts.ts phoneConditions): false
	 * only when none of them can hold for TPS i, so the caller builds the row for the few others.
	 */
	mayAlert(i: number, now: number, th: ActivityThresholds, neverCounts: boolean): boolean {
		// The phone rules are the sync states that need chasing: senyap, tertahan, macet, and
		// belum pernah once never-synced phones count.
		const state = this.stateAt(i, now, th);
		return state === 'belum_pernah'
			? neverCounts
			: state !== 'aktif' && state !== 'selesai' && state !== 'belum_mulai';
	}

	/** Counts per sync state for a region. */
	states(code: string, now: number, th: ActivityThresholds): Record<SyncState, number> {
		const result = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
		const [from, to] = this.range(code);
		for (let i = from; i < to; i++) result[this.stateAt(i, now, th)] += 1;
		return result;
	}

	/** Every TPS of a region, in code order. */
	*rows(code: string): Generator<TpsActivity> {
		const [from, to] = this.range(code);
		for (let i = from; i < to; i++) yield this.row(i);
	}
}
