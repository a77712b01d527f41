/**
 * The log's Merkle tree in the database (the maths is domain/merkle.ts):
 *
 * - sequence: right after a commit, its heartbeats get the next log indexes and their leaf hashes
 *   go into the level-0 tiles (SQL function log_sequence, one at a time across processes);
 * - catchUp: heartbeats committed but never sequenced (a process killed in between, or stored
 *   before this version) are sequenced from their stored rows, in receive order;
 * - integrate: the tiles above level 0 and the head's root follow the sequenced leaves (one
 *   integrator at a time, under an advisory lock);
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

/** A heartbeat waits this long after its commit before the catch-up sequences it for its committer. */
const CATCH_UP_AFTER = '30 seconds';
/** Most leaves one integration step reads (256 level-0 tiles, 8 MB). */
const STEP_LEAVES = 65_536;
/** Advisory lock key of the integrator ("tlog"). */
const INTEGRATOR_LOCK = 0x746c6f67;

/** Gives the next indexes to those of `entries` ([id, leaf hex]) still waiting; every id's index. */
export async function sequence(
	db: Database,
	entries: readonly [string, string][]
): Promise<Map<string, number>> {
	const result = await rows<{ id: string; log_index: string | number | null }>(
		db,
		sql`select id::text as id, log_index from log_sequence(${JSON.stringify(entries)}::json)`
	);
	const indexes = new Map<string, number>();
	for (const r of result) if (r.log_index !== null) indexes.set(r.id, Number(r.log_index));
	return indexes;
}

/**
 * Sequencing for one process, one call at a time: the commits that end while a call runs go
 * together into the next one. Sequencing takes the log's one lock and waits for its own commit to
 * reach the disk; one call per group commit made those waits the ceiling of single-heartbeat
 * syncs (a call each, in turn, across every committer).
 */
export class GroupSequencer {
	private waiting: {
		entries: readonly [string, string][];
		resolve: (indexes: Map<string, number>) => void;
		reject: (error: unknown) => void;
	}[] = [];
	private running = false;

	constructor(private db: Database) {}

	add(entries: readonly [string, string][]): Promise<Map<string, number>> {
		return new Promise((resolve, reject) => {
			this.waiting.push({ entries, resolve, reject });
			void this.run();
		});
	}

	private async run(): Promise<void> {
		if (this.running) return;
		this.running = true;
		try {
			while (this.waiting.length > 0) {
				const group = this.waiting.splice(0);
				try {
					const indexes = await sequence(
						this.db,
						group.flatMap((g) => g.entries)
					);
					for (const g of group) g.resolve(indexes);
				} catch (error) {
					for (const g of group) g.reject(error);
				}
			}
		} finally {
			this.running = false;
		}
	}
}

/**
 * Sequences heartbeats committed at least 30 s ago and still waiting (all of them with
 * `everything`, as at start), up to `limit`, in receive order. Returns how many.
 */
export async function catchUp(db: Database, limit = 20_000, everything = false): Promise<number> {
	const waiting = await rows<EvidenceRaw>(
		db,
		sql`select ${evidenceColumns}
			from log_pending p join heartbeats on heartbeats.recorded_at = p.recorded_at and heartbeats.id = p.id
			${everything ? sql`` : sql`where p.since < now() - ${CATCH_UP_AFTER}::interval`}
			order by heartbeats.received_at, heartbeats.id limit ${limit}`
	);
	if (waiting.length === 0) return 0;
	await sequence(
		db,
		waiting.map((r) => [r.id, Buffer.from(leafHash(canonicalLine(evidenceRow(r)))).toString('hex')])
	);
	return waiting.length;
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
