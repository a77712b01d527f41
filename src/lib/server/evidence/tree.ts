/**
 * The log's Merkle tree in the database (the maths is domain/merkle.ts):
 *
 * - sequencing is part of each commit (ingest/commit.ts): under the log head's lock it gives the
 *   new heartbeats the next indexes and appends their leaves to the level-0 tiles;
 * - sequenceLegacy: heartbeats stored before the log existed get their places at start;
 * - integrate: the tiles above level 0 and the head's root follow the sequenced leaves (one
 *   integrator at a time, under an advisory lock); a process killed after its commit leaves only
 *   leaves that the next integration (in any process) takes up;
 * - read: tiles for proofs, inclusion and consistency proofs against a size the tree has.
 */
import { sql } from 'drizzle-orm';
import { canonicalLine } from '../../domain/evidence';
import {
	consistencyProof,
	grownTiles,
	inclusionProof,
	leafHash,
	tileKey,
	tileReader,
	tilesForGrowth,
	tilesRead,
	treeRoot,
	type Hash,
	type SubtreeReader,
	type TileId
} from '../../domain/merkle';
import { rows, type Database } from '../platform/db/client';
import { evidenceColumns, evidenceRow, type EvidenceRaw } from './day';

/** Most leaves one integration step reads (256 level-0 tiles, 8 MB). */
const STEP_LEAVES = 65_536;
/** Advisory lock key of the integrator ("tlog"). */
const INTEGRATOR_LOCK = 0x746c6f67;

/** Heartbeats sequenced per transaction when those stored before the log get their places. */
const LEGACY_STEP = 20_000;

/**
 * Gives heartbeats stored before the log existed (registered by migration 0019 without an index)
 * their places, in receive order, from their stored rows, under the log's lock as a commit takes
 * it. Returns how many; at start, before the first sync.
 */
export async function sequenceLegacy(db: Database): Promise<number> {
	let total = 0;
	for (;;) {
		const done = await db.transaction(async (tx) => {
			const [{ size }] = await rows<{ size: string }>(
				tx,
				sql`select size from log_head for update`
			);
			const waiting = await rows<EvidenceRaw>(
				tx,
				sql`select ${evidenceColumns}
					from heartbeat_log l join heartbeats on heartbeats.recorded_at = l.recorded_at and heartbeats.id = l.id
					where l.log_index is null
					order by heartbeats.received_at, heartbeats.id limit ${LEGACY_STEP}`
			);
			if (waiting.length === 0) return 0;
			const base = Number(size);
			const entries = waiting.map((r, i) => ({
				id: r.id,
				index: base + i,
				leaf: Buffer.from(leafHash(canonicalLine(evidenceRow(r)))).toString('hex')
			}));
			await tx.execute(
				sql`with e as (select * from json_to_recordset(${JSON.stringify(entries)}::json)
						as e(id uuid, index bigint, leaf text)),
					marked as (update heartbeat_log l set log_index = e.index from e where l.id = e.id),
					tiled as (
						insert into log_tiles as t (level, idx, hashes)
						select 0, e.index / 256, string_agg(decode(e.leaf, 'hex'), ''::bytea order by e.index)
						from e group by e.index / 256
						on conflict (level, idx) do update set hashes = t.hashes || excluded.hashes)
					update log_head set size = ${base + waiting.length}`
			);
			return waiting.length;
		});
		total += done;
		if (done < LEGACY_STEP) return total;
	}
}

export interface Head {
	/** Leaves sequenced. */
	size: number;
	/** Leaves in the tree (integrated), and its root. */
	treeSize: number;
	root: Hash;
}

export async function head(db: Database): Promise<Head> {
	const [h] = await rows<{ size: string; tree_size: string; root: Buffer }>(
		db,
		sql`select size, tree_size, root from log_head`
	);
	return { size: Number(h.size), treeSize: Number(h.tree_size), root: new Uint8Array(h.root) };
}

/** The tiles asked for, as they are now (a tile may hold more than a given tree size needs). */
export async function readTiles(
	db: Database,
	ids: readonly TileId[]
): Promise<Map<string, Uint8Array>> {
	const tiles = new Map<string, Uint8Array>();
	if (ids.length === 0) return tiles;
	const found = await rows<{ level: number; idx: string; hashes: Buffer }>(
		db,
		sql`select t.level, t.idx, t.hashes from log_tiles t
			join json_to_recordset(${JSON.stringify(ids.map((t) => ({ l: t.level, i: t.index })))}::json)
				as w(l int, i bigint) on t.level = w.l and t.idx = w.i`
	);
	for (const t of found)
		tiles.set(tileKey({ level: t.level, index: Number(t.idx) }), new Uint8Array(t.hashes));
	return tiles;
}

/** Runs a computation over the tree: finds the tiles it reads, fetches them, runs it for real. */
export async function overTree<T>(db: Database, compute: (read: SubtreeReader) => T): Promise<T> {
	const tiles = await readTiles(db, tilesRead(compute));
	return compute(tileReader(tiles));
}

/**
 * Grows the tree to the leaves sequenced, `STEP_LEAVES` at a time, each step one transaction
 * under the integrator's lock (another process integrating: this one skips). Returns the head.
 */
export async function integrate(db: Database, maxSteps = 64): Promise<Head | null> {
	let last: Head | null = null;
	for (let step = 0; step < maxSteps; step++) {
		const grown = await db.transaction(async (tx) => {
			const [locked] = await rows<{ ok: boolean }>(
				tx,
				sql`select pg_try_advisory_xact_lock(${INTEGRATOR_LOCK}) as ok`
			);
			if (!locked.ok) return null;
			const now = await head(tx);
			if (now.size === now.treeSize) return { head: now, done: true };
			const to = Math.min(now.size, now.treeSize + STEP_LEAVES);
			const read = await readTiles(tx, tilesForGrowth(now.treeSize, to));
			const changed = grownTiles(now.treeSize, to, read);
			for (const [key, hashes] of changed) {
				const [level, index] = key.split('/').map(Number);
				await tx.execute(
					sql`insert into log_tiles (level, idx, hashes) values (${level}, ${index}, ${Buffer.from(hashes)})
						on conflict (level, idx) do update set hashes = excluded.hashes`
				);
			}
			const all = new Map([...read, ...changed]);
			// The root's tiles: those just written, and the right edge at each level.
			const need = tilesRead((r) => treeRoot(r, to)).filter((t) => !all.has(tileKey(t)));
			for (const [key, value] of await readTiles(tx, need)) all.set(key, value);
			const root = treeRoot(tileReader(all), to);
			await tx.execute(sql`update log_head set tree_size = ${to}, root = ${Buffer.from(root)}`);
			return { head: { size: now.size, treeSize: to, root }, done: to === now.size };
		});
		if (!grown) return last;
		last = grown.head;
		if (grown.done) return last;
	}
	return last;
}

/** The inclusion proof of `index` in the tree of `size` (a size the tree has reached). */
export const proveInclusion = (db: Database, index: number, size: number) =>
	overTree(db, (read) => inclusionProof(read, index, size));

/** The consistency proof from `from` to `to`. */
export const proveConsistency = (db: Database, from: number, to: number) =>
	overTree(db, (read) => consistencyProof(read, from, to));

/** A heartbeat id's place in the log, with what a receipt needs to check who may have it. */
export async function logEntry(
	db: Database,
	id: string
): Promise<{
	logIndex: number | null;
	tps: string;
	deviceToken: number;
	recordedAt: number;
} | null> {
	const [r] = await rows<{
		log_index: string | null;
		tps_code: string;
		device_token_id: number;
		recorded_at: number;
	}>(
		db,
		sql`select log_index, tps_code, device_token_id, round(extract(epoch from recorded_at) * 1000)::float8 as recorded_at
			from heartbeat_log where id = ${id}::uuid`
	);
	if (!r) return null;
	return {
		logIndex: r.log_index === null ? null : Number(r.log_index),
		tps: r.tps_code,
		deviceToken: r.device_token_id,
		recordedAt: r.recorded_at
	};
}
