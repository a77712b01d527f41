/**
 * The evidence of a day, pure: how a heartbeat is written canonically (one line of JSON, the same
 * line the read API streams), and how a region's digest is made from its villages' (a tree, so that
 * every level costs one pass over the day). The README's "Evidence" section says the same, for
 * anyone who wants to recompute a digest from the API.
 *
 * - A heartbeat's line: `JSON.stringify` of the fields in this order, then "\n":
 *   id, tps, recordedAt, receivedAt (ISO 8601 UTC with milliseconds), verified, tms, newVoters,
 *   pending, app, battery, lat, lng (null when absent), deviceToken (the token's number).
 * - A village's digest for a local day: SHA-256 (hex) of the lines of every heartbeat of its TPS
 *   received that day (00:00 to 24:00 in the region's zone), ordered by TPS code, receive time, id:
 *   exactly the body of `GET /api/v1/regions/<village>/heartbeats?date=<day>`.
 * - Any larger region's: SHA-256 of one line `<child code> <child digest>\n` per child that
 *   received any heartbeat that day, in code order (district from villages, … the nation from the
 *   provinces, each province on its own zone's day).
 */
import { isoTime } from './calendar';

export interface EvidenceRow {
	id: string;
	tps: string;
	/** ms since the epoch */
	recordedAt: number;
	receivedAt: number;
	verified: number;
	tms: number;
	newVoters: number;
	pending: number;
	app: string | null;
	battery: number | null;
	lat: number | null;
	lng: number | null;
	deviceToken: number;
}

/**
 * The canonical line of a heartbeat (what is hashed, and what the read API streams): byte for byte
 * `JSON.stringify` of the fields in the order above, written out field by field (a national day is
 * millions of lines; the object and its two Date conversions cost three times as much; the spec
 * checks the two agree).
 */
export function canonicalLine(h: EvidenceRow): string {
	return `{"id":${JSON.stringify(h.id)},"tps":${JSON.stringify(h.tps)},"recordedAt":"${isoTime(h.recordedAt)}","receivedAt":"${isoTime(h.receivedAt)}","verified":${jsonNumber(h.verified)},"tms":${jsonNumber(h.tms)},"newVoters":${jsonNumber(h.newVoters)},"pending":${jsonNumber(h.pending)},"app":${JSON.stringify(h.app)},"battery":${jsonNumber(h.battery)},"lat":${jsonNumber(h.lat)},"lng":${jsonNumber(h.lng)},"deviceToken":${jsonNumber(h.deviceToken)}}\n`;
}

/** A number as JSON writes it (null, NaN and infinities as null). */
const jsonNumber = (n: number | null): string =>
	n === null || !Number.isFinite(n) ? 'null' : String(n);

/** What a parent's digest is made of: its children's digests, one line each, in code order. */
export function childLines(children: ReadonlyMap<string, string>): string {
	return [...children]
		.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
		.map(([code, digest]) => `${code} ${digest}\n`)
		.join('');
}

/** A heartbeat as the chronology replays it. */
export interface Received {
	id: string;
	recordedAt: number;
	receivedAt: number;
	verified: number;
}

/** Heartbeats in the order the commits applied them: receive time, then recorded time, count, id. */
export function inCommitOrder<T extends Received>(heartbeats: readonly T[]): T[] {
	return [...heartbeats].sort(
		(a, b) =>
			a.receivedAt - b.receivedAt ||
			a.recordedAt - b.recordedAt ||
			a.verified - b.verified ||
			(a.id < b.id ? -1 : 1)
	);
}

/**
 * The count that counted after each commit (one point per receive time that moved it), for the
 * TPS chart's step line.
 */
export function countedSteps(
	heartbeats: readonly Received[],
	did: ReadonlyMap<string, Effect>
): { at: number; verified: number }[] {
	const steps: { at: number; verified: number }[] = [];
	for (const h of inCommitOrder(heartbeats)) {
		const effect = did.get(h.id);
		if (!effect?.moved) continue;
		const last = steps.at(-1);
		if (last && last.at === h.receivedAt) last.verified = effect.to;
		else steps.push({ at: h.receivedAt, verified: effect.to });
	}
	return steps;
}

/** What one heartbeat did to its TPS when it was committed. */
export type Effect =
	{ moved: true; from: number | null; to: number } | { moved: false; current: number };

/**
 * What each heartbeat did, replayed as the commits did it: in receive order, and within one
 * commit (one receive time) in recorded order, each moves the TPS when it supersedes the snapshot
 * that counts (coverage.ts: later recorded, or as late with a larger count); `start` is the
 * snapshot that counted before the first of them.
 */
export function effects(
	start: { recordedAt: number; verified: number } | null,
	heartbeats: readonly Received[]
): Map<string, Effect> {
	const ordered = inCommitOrder(heartbeats);
	const result = new Map<string, Effect>();
	let current = start;
	for (const h of ordered) {
		const wins =
			current === null ||
			h.recordedAt > current.recordedAt ||
			(h.recordedAt === current.recordedAt && h.verified > current.verified);
		if (wins) {
			result.set(h.id, { moved: true, from: current?.verified ?? null, to: h.verified });
			current = { recordedAt: h.recordedAt, verified: h.verified };
		} else result.set(h.id, { moved: false, current: current!.verified });
	}
	return result;
}
