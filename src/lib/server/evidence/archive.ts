/**
 * Old evidence kept, not in the way: closed days of the heartbeat log move out of the database
 * into compressed files, whole day partitions at a time, and can be put back.
 *
 * Archiving a recorded day (one partition, 00:00 to 24:00 WIB) writes its rows in key order as
 * one JSON object per line (`row_to_json`: every column, exact times and numbers), gzip-
 * compressed, into `heartbeats-<day>-<first 12 hex of its SHA-256>.ndjson.gz` with a manifest
 * beside it (`….json`: the day, the rows, the SHA-256 of the uncompressed lines). Both are
 * written under a temporary name, flushed to disk and renamed (mode 0600: they hold locations and
 * token ids), so a file of that name is complete; another content gets another name, and nothing
 * is ever overwritten with other rows. Only then does one short transaction take the log's lock,
 * check that the partition still holds exactly the rows written, detach it, let the caller note
 * it (`log_archives`, the audit log) and drop it. Nothing is deleted row by row; a failure leaves
 * the partition where it was.
 *
 * A day is archived only when no received day is split between the files and the database (the
 * received day's digest is recomputed from the log): a heartbeat recorded on an archived day but
 * received on a later local day, or one recorded on a kept day but received on an archived local
 * day (a phone clock ahead), keeps its days in the database.
 *
 * Restoring reads a file, checks it against its manifest and `log_archives`, and inserts its rows
 * again, hashing them as it goes: a file changed between the check and the insert is refused and
 * nothing is inserted.
 */
import { createHash, type Hash } from 'node:crypto';
import {
	closeSync,
	createReadStream,
	createWriteStream,
	existsSync,
	fsyncSync,
	openSync,
	readFileSync,
	renameSync,
	writeFileSync
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { addDays, dayStart, isLocalDate, localDate, zoneOf, ZONES } from '../../domain/calendar';
import { AppError } from '../../domain/errors';
import { rows, type Database } from '../platform/db/client';
import { epochMs } from '../platform/db/sql';
import { partitionDays, partitionName } from './partitions';
import { evidenceColumns, evidenceRow, type EvidenceRaw } from './day';
import { readTiles } from './tree';
import { canonicalLine } from '../../domain/evidence';
import { HASH_BYTES, leafHash, sameHash, TILE_WIDTH, tileKey } from '../../domain/merkle';

/** Rows read from the database, or inserted back, per statement. */
const CHUNK = 10_000;
/** How long the archive waits for the log's lock before giving up (and leaving all as it was). */
const LOCK_TIMEOUT = '10s';

export interface ArchiveManifest {
	day: string;
	rows: number;
	/** SHA-256 (hex) of the uncompressed NDJSON lines. */
	sha256: string;
	/** The compressed file's name, beside the manifest. */
	file: string;
	archivedAt: string;
}

const ARCHIVE_NAME = /^heartbeats-(\d{4}-\d{2}-\d{2})-([0-9a-f]{12})\.ndjson\.gz$/;
export const archiveFile = (day: string, sha256: string) =>
	`heartbeats-${day}-${sha256.slice(0, 12)}.ndjson.gz`;
const manifestOf = (file: string) => file.replace(/\.ndjson\.gz$/, '.json');
/** Start of a recorded day (a partition's lower bound), 00:00 WIB. */
const wibStart = (day: string) => dayStart(day, ZONES.WIB);
/** The earliest and latest moment any zone's local day `day` can start (WIT first, WIB last). */
const earliestStart = (day: string) => dayStart(day, ZONES.WIT);

/**
 * The day partitions before `before` that hold heartbeats and may go: all of them, or those
 * before the first day that a heartbeat received across the cut ties to the database (late
 * backlogs one way, phone clocks ahead the other), looked for again after each move of the cut.
 */
export async function archivableDays(
	db: Database,
	before: string
): Promise<{ days: string[]; heldBack: { day: string; heartbeats: number } | null }> {
	// Empty days stay (the server makes the campaign's days ahead of time; nothing to move).
	const candidates: string[] = [];
	for (const day of (await partitionDays(db)).filter((d) => d < before)) {
		const [{ held }] = await rows<{ held: boolean }>(
			db,
			sql.raw(`select exists (select 1 from ${partitionName(day)}) as held`)
		);
		if (held) candidates.push(day);
	}
	let cut = before;
	let tied = 0;
	for (;;) {
		const startOfCut = new Date(wibStart(cut)).toISOString();
		// Recorded before the cut, received on a local day at or after it (a late backlog).
		const late = await rows<{ tps: string; recorded: number; received: number }>(
			db,
			sql`select tps_code as tps, ${epochMs(sql`recorded_at`)} as recorded,
					${epochMs(sql`received_at`)} as received
				from heartbeats
				where recorded_at < ${startOfCut}::timestamptz
					and received_at >= ${new Date(earliestStart(cut)).toISOString()}::timestamptz`
		);
		// Recorded from the cut on, received on a local day before it (a phone clock ahead).
		const early = await rows<{ tps: string; received: number }>(
			db,
			sql`select tps_code as tps, ${epochMs(sql`received_at`)} as received
				from heartbeats
				where recorded_at >= ${startOfCut}::timestamptz
					and recorded_at < ${new Date(wibStart(addDays(cut, 1))).toISOString()}::timestamptz
					and received_at < ${startOfCut}::timestamptz`
		);
		const received = (r: { tps: string; received: number }) =>
			localDate(new Date(r.received), zoneOf(r.tps));
		const moves = [
			...late
				.filter((r) => received(r) >= cut)
				.map((r) => localDate(new Date(r.recorded), ZONES.WIB)),
			...early.map(received).filter((day) => day < cut)
		];
		if (moves.length === 0) break;
		tied += moves.length;
		cut = moves.sort()[0];
	}
	return {
		days: candidates.filter((day) => day < cut),
		heldBack: cut < before ? { day: cut, heartbeats: tied } : null
	};
}

/** Writes `lines` gzip-compressed to `file` under a temporary name, on disk, then renames it. */
async function writeDurably(file: string, lines: AsyncIterable<string>): Promise<void> {
	const partial = `${file}.partial`;
	await pipeline(Readable.from(lines), createGzip(), createWriteStream(partial, { mode: 0o600 }));
	flush(partial);
	renameSync(partial, file);
}

function writeManifest(file: string, manifest: ArchiveManifest): void {
	const partial = `${file}.partial`;
	writeFileSync(partial, JSON.stringify(manifest, null, '\t') + '\n', { mode: 0o600 });
	flush(partial);
	renameSync(partial, file);
}

/** Flushes a file's bytes, or a folder's entries (the renames), to disk. */
function flush(file: string): void {
	const fd = openSync(file, 'r');
	try {
		fsyncSync(fd);
	} finally {
		closeSync(fd);
	}
}

/**
 * Archives one day partition into `folder` (see the module's comment); `record` writes the
 * `log_archives` row and its audit entry inside the detaching transaction.
 */
export async function archiveDay(
	db: Database,
	day: string,
	folder: string,
	record: (tx: Database, manifest: ArchiveManifest) => Promise<void>
): Promise<ArchiveManifest> {
	await mkdir(folder, { recursive: true });
	const table = partitionName(day);
	const hash = createHash('sha256');
	let count = 0;
	async function* lines() {
		let after: { at: string; id: string } | null = null;
		for (;;) {
			const page: { line: string; at: string; id: string }[] = await rows(
				db,
				sql`select row_to_json(h)::text as line, h.recorded_at::text as at, h.id::text as id
					from ${sql.raw(table)} h
					${after ? sql`where (h.recorded_at, h.id) > (${after.at}::timestamptz, ${after.id}::uuid)` : sql``}
					order by h.recorded_at, h.id limit ${CHUNK}`
			);
			for (const row of page) {
				const text = `${row.line}\n`;
				hash.update(text);
				count += 1;
				yield text;
			}
			if (page.length < CHUNK) return;
			after = { at: page.at(-1)!.at, id: page.at(-1)!.id };
		}
	}
	const unnamed = path.join(folder, `heartbeats-${day}.writing`);
	await writeDurably(unnamed, lines());
	const sha256 = hash.digest('hex');
	const manifest: ArchiveManifest = {
		day,
		rows: count,
		sha256,
		file: archiveFile(day, sha256),
		archivedAt: new Date().toISOString()
	};
	// Named by its content: an earlier file of this name holds exactly these rows.
	renameSync(unnamed, path.join(folder, manifest.file));
	writeManifest(path.join(folder, manifestOf(manifest.file)), manifest);
	flush(folder);
	await db.transaction(async (tx) => {
		// The log first, then the day (the order an insert takes them in), so no deadlock; and no
		// endless wait that would queue every sync behind it.
		await tx.execute(sql.raw(`set local lock_timeout = '${LOCK_TIMEOUT}'`));
		await tx.execute(sql`lock table heartbeats in access exclusive mode`);
		const [{ n }] = await rows<{ n: number }>(
			tx,
			sql.raw(`select count(*)::int as n from ${table}`)
		);
		if (n !== count) throw new AppError('archiveChanged', { day, written: count, now: n });
		await tx.execute(sql.raw(`alter table heartbeats detach partition ${table}`));
		await record(tx, manifest);
		await tx.execute(sql.raw(`drop table ${table}`));
	});
	return manifest;
}

/** An archive file checked against its manifest, and a reader of its lines. */
export async function readArchive(
	file: string
): Promise<{ manifest: ArchiveManifest; lines: () => AsyncIterable<string> }> {
	const name = ARCHIVE_NAME.exec(path.basename(file));
	const unreadable = (reason: string) => new AppError('archiveUnreadable', { file, reason });
	const manifestPath = manifestOf(file);
	if (!name || !isLocalDate(name[1]))
		throw unreadable('its name is not heartbeats-<day>-<digest>.ndjson.gz');
	if (!existsSync(file) || !existsSync(manifestPath))
		throw unreadable('the file or its manifest (.json) is missing');
	let manifest: ArchiveManifest;
	try {
		manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ArchiveManifest;
	} catch {
		throw unreadable('the manifest is not JSON');
	}
	const lines = () =>
		createInterface({ input: createReadStream(file).pipe(createGunzip()), crlfDelay: Infinity });
	const hash = createHash('sha256');
	let count = 0;
	try {
		for await (const line of lines()) {
			hash.update(`${line}\n`);
			count += 1;
		}
	} catch {
		throw unreadable('the file is not gzip');
	}
	const digest = hash.digest('hex');
	if (
		manifest.day !== name[1] ||
		manifest.rows !== count ||
		manifest.sha256 !== digest ||
		!digest.startsWith(name[2])
	)
		throw unreadable(
			`it holds ${count} rows with SHA-256 ${digest}; the manifest says ${manifest.rows} rows, ${manifest.sha256}`
		);
	return { manifest, lines };
}

/**
 * Puts an archive's rows back into the log (rows already there are left as they are); returns
 * how many were inserted. Hashes the lines as it reads them: if they are not the `sha256` that
 * was checked, it throws, and the caller's transaction inserts nothing.
 */
export async function restoreRows(
	db: Database,
	lines: () => AsyncIterable<string>,
	expected: { file: string; sha256: string }
): Promise<number> {
	const hash: Hash = createHash('sha256');
	let inserted = 0;
	let chunk: string[] = [];
	const flush = async () => {
		if (chunk.length === 0) return;
		const added = await rows<EvidenceRaw & { log_index: string | null }>(
			db,
			sql`with added as (
					insert into heartbeats
					select * from json_populate_recordset(null::heartbeats, ${`[${chunk.join(',')}]`}::json)
					on conflict do nothing returning ${evidenceColumns})
				select added.*, l.log_index from added left join heartbeat_log l on l.id = added.id::uuid`
		);
		inserted += added.length;
		chunk = [];
		// Each row put back must be the leaf the transparency log holds at its index: a file
		// changed and re-hashed to match a changed manifest still cannot pass this.
		const tiles = await readTiles(
			db,
			[...new Set(added.map((r) => Math.floor(Number(r.log_index) / TILE_WIDTH)))].map((index) => ({
				level: 0,
				index
			}))
		);
		for (const r of added) {
			const index = r.log_index === null ? null : Number(r.log_index);
			const tile =
				index === null
					? undefined
					: tiles.get(tileKey({ level: 0, index: Math.floor(index / TILE_WIDTH) }));
			const at = ((index ?? 0) % TILE_WIDTH) * HASH_BYTES;
			const leaf = tile?.subarray(at, at + HASH_BYTES);
			if (
				!leaf ||
				leaf.length < HASH_BYTES ||
				!sameHash(leaf, leafHash(canonicalLine(evidenceRow(r))))
			)
				throw new AppError('archiveNotInTree', {
					file: expected.file,
					id: r.id,
					index: index ?? '–'
				});
		}
	};
	for await (const line of lines()) {
		hash.update(`${line}\n`);
		chunk.push(line);
		if (chunk.length >= CHUNK) await flush();
	}
	await flush();
	if (hash.digest('hex') !== expected.sha256)
		throw new AppError('archiveUnreadable', {
			file: expected.file,
			reason: 'it changed while it was being restored'
		});
	return inserted;
}
