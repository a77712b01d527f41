/**
 * Checking the log against itself without trusting the database (evidence:verify): every heartbeat
 * of a day is hashed again and compared with the leaf the tree holds at its index (a row changed
 * or deleted behind the application's back is named by index, TPS and day; a row added beside the
 * log too), and the tree is rebuilt from its leaves and compared with the latest checkpoint,
 * whose signature is checked against the log's keys.
 */
import { sql } from 'drizzle-orm';
import { ZONES } from '../../domain/calendar';
import { canonicalLine } from '../../domain/evidence';
import {
	grownTiles,
	HASH_BYTES,
	leafHash,
	sameHash,
	TILE_WIDTH,
	tileKey,
	tileReader,
	treeRoot
} from '../../domain/merkle';
import { parseNote, verifyNote, type Verifier } from '../../domain/note';
import { rows, type Database } from '../platform/db/client';
import { checkpointOf, dayNotes, zoneDayDigest } from './checkpoints';
import { dayWindow, evidenceColumns, evidenceRow, type EvidenceRaw } from './day';
import { overTree, readTiles } from './tree';

export interface LogProblem {
	/** changed: the row's line is not the leaf; missing: the log names a row that is gone; unlogged: a row the log never took. */
	kind: 'changed' | 'missing' | 'unlogged';
	index: number | null;
	tps: string;
	id: string;
	day: string;
}

export interface DayCheck {
	zone: string;
	ok: boolean;
	reason?: string;
}

/**
 * A day's signed notes (one per zone frozen that day): signed by the log's key, of a tree the log
 * had, and holding the digest the frozen snapshots give now.
 */
export async function checkDayNotes(
	db: Database,
	day: string,
	keys: readonly Verifier[]
): Promise<DayCheck[]> {
	const checks: DayCheck[] = [];
	for (const { zone, note } of await dayNotes(db, day)) {
		const parsed = parseNote(note);
		if (!keys.some((k) => verifyNote(parsed, k))) {
			checks.push({ zone, ok: false, reason: 'the note is not signed by the log key' });
			continue;
		}
		const [, what, size, root, digest] = parsed.text.split('\n');
		const bound = await zoneDayDigest(db, zone, day);
		if (what !== `frozen ${zone} ${day}` || !bound || bound.digest !== digest) {
			checks.push({
				zone,
				ok: false,
				reason: `the frozen digests now give ${bound?.digest ?? 'nothing'}, the signed note ${digest}`
			});
			continue;
		}
		const treeRootNow = await overTree(db, (read) => treeRoot(read, Number(size)));
		if (Buffer.from(treeRootNow).toString('base64') !== root) {
			checks.push({
				zone,
				ok: false,
				reason: `the tree of ${size} no longer has the root the note signed`
			});
			continue;
		}
		checks.push({ zone, ok: true });
	}
	return checks;
}

export interface TreeCheck {
	ok: boolean;
	size: number;
	reason?: string;
}

/** The tree's root of `size` leaves rebuilt from the level-0 tiles alone (upper tiles not trusted). */
export async function rebuildRoot(db: Database, size: number): Promise<Uint8Array> {
	const upper = new Map<string, Uint8Array>();
	let last = new Map<string, Uint8Array>();
	const chunk = 256;
	for (let from = 0; from < size; from += chunk * TILE_WIDTH) {
		const first = from / TILE_WIDTH;
		const found = await rows<{ idx: string; hashes: Buffer }>(
			db,
			sql`select idx, hashes from log_tiles where level = 0 and idx >= ${first} and idx < ${first + chunk}
				order by idx`
		);
		last = new Map(
			found.map((t) => [tileKey({ level: 0, index: Number(t.idx) }), new Uint8Array(t.hashes)])
		);
		const to = Math.min(size, from + chunk * TILE_WIDTH);
		for (const [key, value] of grownTiles(from, to, new Map([...upper, ...last])))
			upper.set(key, value);
	}
	return treeRoot(tileReader(new Map([...upper, ...last])), size);
}

/** The latest checkpoint: signed by one of `keys`, and equal to the tree rebuilt from its leaves. */
export async function checkTree(db: Database, keys: readonly Verifier[]): Promise<TreeCheck> {
	const cp = await checkpointOf(db);
	if (!cp) return { ok: true, size: 0, reason: 'no checkpoint signed yet' };
	const note = parseNote(cp.note);
	if (!keys.some((k) => verifyNote(note, k)))
		return {
			ok: false,
			size: cp.treeSize,
			reason: 'the latest checkpoint is not signed by the log key'
		};
	const root = await rebuildRoot(db, cp.treeSize);
	if (!sameHash(root, cp.root))
		return {
			ok: false,
			size: cp.treeSize,
			reason: `the tree rebuilt from its ${cp.treeSize} leaves does not have the signed root`
		};
	return { ok: true, size: cp.treeSize };
}

const PAGE = 20_000;

/**
 * One day of the log (the heartbeats recorded that day, WIB: the log's day partition) against the
 * tree, and the tree against its latest signed checkpoint.
 */
export async function verifyLogDay(
	db: Database,
	day: string,
	keys: readonly Verifier[]
): Promise<{
	checked: number;
	waiting: number;
	problems: LogProblem[];
	tree: TreeCheck;
	days: DayCheck[];
}> {
	const [from, to] = dayWindow(day, ZONES.WIB).map((ms) => new Date(ms).toISOString());
	const problems: LogProblem[] = [];
	let checked = 0;
	let waiting = 0;
	let after = '00000000-0000-0000-0000-000000000000';
	for (;;) {
		const page = await rows<
			Partial<EvidenceRaw> & {
				log_id: string;
				log_tps: string;
				log_index: string | null;
				present: boolean;
			}
		>(
			db,
			sql`select ${evidenceColumns}, l.id::text as log_id, l.tps_code as log_tps, l.log_index,
					heartbeats.id is not null as present
				from heartbeat_log l
				left join heartbeats on heartbeats.id = l.id and heartbeats.recorded_at = l.recorded_at
				where l.recorded_at >= ${from}::timestamptz and l.recorded_at < ${to}::timestamptz
					and l.id > ${after}::uuid
				order by l.id limit ${PAGE}`
		);
		if (page.length === 0) break;
		after = page.at(-1)!.log_id;
		const tiles = await readTiles(
			db,
			[
				...new Set(
					page
						.filter((r) => r.log_index !== null)
						.map((r) => Math.floor(Number(r.log_index) / TILE_WIDTH))
				)
			].map((index) => ({ level: 0, index }))
		);
		for (const r of page) {
			if (r.log_index === null) {
				waiting += 1;
				continue;
			}
			checked += 1;
			const index = Number(r.log_index);
			const where = { index, tps: r.log_tps, id: r.log_id, day };
			if (!r.present) {
				problems.push({ kind: 'missing', ...where });
				continue;
			}
			const tile = tiles.get(tileKey({ level: 0, index: Math.floor(index / TILE_WIDTH) }));
			const offset = (index % TILE_WIDTH) * HASH_BYTES;
			const leaf = tile?.subarray(offset, offset + HASH_BYTES);
			if (
				!leaf ||
				leaf.length < HASH_BYTES ||
				!sameHash(leaf, leafHash(canonicalLine(evidenceRow(r as EvidenceRaw))))
			)
				problems.push({ kind: 'changed', ...where });
		}
		if (page.length < PAGE) break;
	}
	const unlogged = await rows<{ id: string; tps_code: string }>(
		db,
		sql`select h.id::text, h.tps_code from heartbeats h
			where h.recorded_at >= ${from}::timestamptz and h.recorded_at < ${to}::timestamptz
				and not exists (select 1 from heartbeat_log l where l.id = h.id and l.recorded_at = h.recorded_at)
			order by h.tps_code, h.id limit 1000`
	);
	for (const u of unlogged)
		problems.push({ kind: 'unlogged', index: null, tps: u.tps_code, id: u.id, day });
	problems.sort((a, b) => (a.index ?? Infinity) - (b.index ?? Infinity));
	return {
		checked,
		waiting,
		problems,
		tree: await checkTree(db, keys),
		days: await checkDayNotes(db, day, keys)
	};
}
