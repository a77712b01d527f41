/**
 * What the log's endpoints answer (routes/api/v1/log, the receipt route): the latest checkpoint
 * with its cosignatures, the log's keys, consistency proofs, tiles and receipts. The checkpoint,
 * keys, proofs and tiles hold only sizes and hashes and are public; a receipt carries a
 * heartbeat's line, so only its phone or a reader whose scope holds its TPS gets it.
 */
import { sql } from 'drizzle-orm';
import { canonicalLine } from '../../domain/evidence';
import { AppError } from '../../domain/errors';
import { hashLines, parseTilePath, tilePath, HASH_BYTES, TILE_WIDTH } from '../../domain/merkle';
import { receiptText } from '../../domain/note';
import { canView, type Principal } from '../../domain/roles';
import { rows, type Database } from '../platform/db/client';
import { checkpointOf, logKeys } from './checkpoints';
import { evidenceColumns, evidenceRow, type EvidenceRaw } from './day';
import { logEntry, proveConsistency, proveInclusion, readTiles } from './tree';
import { cosignatureLines } from './witnesses';

/** The latest signed checkpoint with every cosignature collected for it. */
export async function latestCheckpoint(db: Database): Promise<string> {
	const cp = await checkpointOf(db);
	if (!cp) throw new AppError('logNotSigned');
	return cp.note + (await cosignatureLines(db, cp.treeSize)).join('');
}

/** The log's verifier keys, one a line (the first signs from size 0, each later one from its size). */
export async function keysText(
	db: Database
): Promise<{ text: string; keys: { verifier: string; firstSize: number }[] }> {
	const keys = await logKeys(db);
	return { text: keys.map((k) => `${k.verifier}\n`).join(''), keys };
}

const SIZE = /^(0|[1-9]\d{0,15})$/;

/** The consistency proof between two sizes, base64 hashes one a line. */
export async function consistencyText(db: Database, from: string, to: string): Promise<string> {
	const cp = await checkpointOf(db);
	if (!cp) throw new AppError('logNotSigned');
	const [m, n] = [Number(from), Number(to)];
	if (!SIZE.test(from) || !SIZE.test(to) || !(m <= n && n <= cp.treeSize))
		throw new AppError('logSizes', {
			size: cp.treeSize,
			from: from.slice(0, 20),
			to: to.slice(0, 20)
		});
	return hashLines(await proveConsistency(db, m, n));
}

/** A tile as tlog-tiles serves it (concatenated hashes), only within the signed tree. */
export async function tileBytes(
	db: Database,
	path: string
): Promise<{ bytes: Uint8Array; full: boolean }> {
	const tile = parseTilePath(path);
	if (!tile || tile.level > 8) throw new AppError('badTile', { path: path.slice(0, 80) });
	const cp = await checkpointOf(db);
	// Entries the signed tree holds at this level: a tile beyond them is not served yet.
	const entries = cp ? Math.floor(cp.treeSize / TILE_WIDTH ** tile.level) : 0;
	if (tile.index * TILE_WIDTH + tile.width > entries)
		throw new AppError('tileNotFound', { path: tilePath(tile, tile.width) });
	const found = (await readTiles(db, [tile])).get(`${tile.level}/${tile.index}`);
	if (!found || found.length < tile.width * HASH_BYTES)
		throw new AppError('tileNotFound', { path: tilePath(tile, tile.width) });
	return { bytes: found.subarray(0, tile.width * HASH_BYTES), full: tile.width === TILE_WIDTH };
}

/** Who asks for a receipt: the phone (its device token's id) or a signed-in reader. */
export type ReceiptReader = { deviceToken: number } | { viewer: Principal };

/**
 * A heartbeat's receipt (c2sp.org/tlog-proof@v1): its canonical line as `extra`, its index and
 * inclusion path against the latest signed checkpoint. 404 for anyone who may not see it.
 */
export async function receipt(db: Database, id: string, reader: ReceiptReader): Promise<string> {
	const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)
		? id
		: null;
	const entry = uuid ? await logEntry(db, uuid) : null;
	const allowed =
		entry &&
		('deviceToken' in reader
			? reader.deviceToken === entry.deviceToken
			: canView(reader.viewer, entry.tps));
	if (!entry || !allowed) throw new AppError('receiptNotFound', { id: id.slice(0, 40) });
	const cp = await checkpointOf(db);
	if (entry.logIndex === null || !cp || cp.treeSize <= entry.logIndex)
		throw new AppError('receiptNotYet', { id });
	const [raw] = await rows<EvidenceRaw>(
		db,
		sql`select ${evidenceColumns} from heartbeats
			where heartbeats.id = ${uuid}::uuid
				and heartbeats.recorded_at = (select recorded_at from heartbeat_log where id = ${uuid}::uuid)`
	);
	const path = await proveInclusion(db, entry.logIndex, cp.treeSize);
	return receiptText({
		// An archived day's heartbeat: its line is in the archive file; the proof stands without it.
		extra: raw ? Buffer.from(canonicalLine(evidenceRow(raw)), 'utf8') : null,
		index: entry.logIndex,
		path,
		checkpoint: cp.note + (await cosignatureLines(db, cp.treeSize)).join('')
	});
}
