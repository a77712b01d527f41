/**
 * Old evidence kept, not in the way: closed days of the heartbeat log move out of the database
 * into compressed files, whole day partitions at a time, and can be put back.
 *
 * Archiving a recorded day (one partition, 00:00 to 24:00 WIB): inside one transaction the
 * partition is detached, its rows are written in key order as one JSON object per line
 * (`row_to_json`: every column, exact times and numbers) into `heartbeats-<day>.ndjson.gz`, the
 * SHA-256 of the uncompressed lines is noted in `log_archives` with the file's name, and the
 * detached table is dropped. Nothing is deleted row by row; a failure leaves the partition where
 * it was. A manifest beside the file (`heartbeats-<day>.json`) repeats the count and the digest.
 *
 * A day is archived only when no received day is split between the files and the database: a
 * heartbeat recorded on an archived day but received on a later local day (a late backlog) keeps
 * its partition in the database, since that later day's evidence digest is recomputed from it.
 *
 * Restoring reads a file, checks its digest against the manifest and against `log_archives`,
 * and inserts its rows into the log again (its day partition made if needed; rows already there
 * are left as they are), so the chronology and `evidence:verify` see them as before.
 */
import { createHash } from 'node:crypto';
import {
	createReadStream,
	createWriteStream,
	existsSync,
	readFileSync,
	writeFileSync
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { Readable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { addDays, isLocalDate, localDate, zoneOf, ZONES } from '../domain/calendar';
import { AppError } from '../domain/errors';
import { rows, type Database } from './db/client';
import { createPartitions, partitionDays, partitionName } from './heartbeat-log';

/** Rows read from the database, or inserted back, per statement. */
const CHUNK = 10_000;

export interface ArchiveManifest {
	day: string;
	rows: number;
	/** SHA-256 (hex) of the uncompressed NDJSON lines. */
	sha256: string;
	/** The compressed file's name, beside the manifest. */
	file: string;
	archivedAt: string;
}

export const archiveFile = (day: string) => `heartbeats-${day}.ndjson.gz`;
const manifestFile = (day: string) => `heartbeats-${day}.json`;
const dayStartUtc = (day: string) => `${day} 00:00:00+07`;

/**
 * The day partitions before `before` that hold heartbeats and may go: every one of them, unless a late heartbeat
 * (recorded on one of them, received on a local day at or after `before`'s first one, in its
 * own zone) ties it to the database; then only the days before the earliest such partition.
 */
export async function archivableDays(
	db: Database,
	before: string
): Promise<{ days: string[]; heldBack: { day: string; late: number } | null }> {
	// Empty days stay (the server makes the campaign's days ahead of time; nothing to move).
	const candidates: string[] = [];
	for (const day of (await partitionDays(db)).filter((d) => d < before)) {
		const [{ held }] = await rows<{ held: boolean }>(
			db,
			sql.raw(`select exists (select 1 from ${partitionName(day)}) as held`)
		);
		if (held) candidates.push(day);
	}
	if (candidates.length === 0) return { days: [], heldBack: null };
	// WIT's midnight is the earliest: nothing received before it is on `before` or later anywhere.
	const earliest = `${addDays(before, -1)} 15:00:00+00`;
	const late = await rows<{ tps_code: string; received_at: string; recorded_at: string }>(
		db,
		sql`select tps_code, received_at::text as received_at, recorded_at::text as recorded_at
			from heartbeats
			where recorded_at < ${dayStartUtc(before)}::timestamptz
				and received_at >= ${earliest}::timestamptz`
	);
	const tied = new Map<string, number>();
	for (const r of late) {
		if (localDate(new Date(r.received_at), zoneOf(r.tps_code)) < before) continue;
		const day = localDate(new Date(r.recorded_at), ZONES.WIB);
		tied.set(day, (tied.get(day) ?? 0) + 1);
	}
	if (tied.size === 0) return { days: candidates, heldBack: null };
	const first = [...tied.keys()].sort()[0];
	return {
		days: candidates.filter((day) => day < first),
		heldBack: { day: first, late: [...tied.values()].reduce((a, b) => a + b, 0) }
	};
}

/**
 * Archives one day partition into `folder`: the file is written from the attached partition (its
 * rows never change), then one short transaction locks the partition against a late insert,
 * checks that it still holds exactly the rows written, detaches it, lets `record` write the
 * `log_archives` row and its audit entry, and drops it. Ingestion waits only for that transaction.
 */
export async function archiveDay(
	db: Database,
	day: string,
	folder: string,
	record: (tx: Database, manifest: ArchiveManifest) => Promise<void>
): Promise<ArchiveManifest> {
	await mkdir(folder, { recursive: true });
	const table = partitionName(day);
	const file = path.join(folder, archiveFile(day));
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
	await pipeline(Readable.from(lines()), createGzip(), createWriteStream(file));
	const manifest: ArchiveManifest = {
		day,
		rows: count,
		sha256: hash.digest('hex'),
		file: archiveFile(day),
		archivedAt: new Date().toISOString()
	};
	await db.transaction(async (tx) => {
		await tx.execute(sql.raw(`lock table ${table} in share mode`));
		const [{ n }] = await rows<{ n: number }>(
			tx,
			sql.raw(`select count(*)::int as n from ${table}`)
		);
		if (n !== count) throw new AppError('archiveChanged', { day, written: count, now: n });
		await tx.execute(sql.raw(`alter table heartbeats detach partition ${table}`));
		await record(tx, manifest);
		await tx.execute(sql.raw(`drop table ${table}`));
	});
	writeFileSync(path.join(folder, manifestFile(day)), JSON.stringify(manifest, null, '\t') + '\n');
	return manifest;
}

/** Reads an archive's manifest (beside the file) and checks the file against it. */
export async function readArchive(
	file: string
): Promise<{ manifest: ArchiveManifest; lines: () => AsyncIterable<string> }> {
	const name = path.basename(file);
	const day = /^heartbeats-(\d{4}-\d{2}-\d{2})\.ndjson\.gz$/.exec(name)?.[1];
	const manifestPath = day ? path.join(path.dirname(file), manifestFile(day)) : '';
	if (!day || !isLocalDate(day) || !existsSync(file) || !existsSync(manifestPath))
		throw new AppError('archiveUnreadable', {
			file,
			reason: 'no heartbeats-<day>.ndjson.gz with its .json beside it'
		});
	let manifest: ArchiveManifest;
	try {
		manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ArchiveManifest;
	} catch {
		throw new AppError('archiveUnreadable', { file, reason: 'the manifest is not JSON' });
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
		throw new AppError('archiveUnreadable', { file, reason: 'the file is not gzip' });
	}
	const digest = hash.digest('hex');
	if (manifest.day !== day || manifest.rows !== count || manifest.sha256 !== digest)
		throw new AppError('archiveUnreadable', {
			file,
			reason: `it holds ${count} rows with SHA-256 ${digest}; the manifest says ${manifest.rows} rows, ${manifest.sha256}`
		});
	return { manifest, lines };
}

/** Puts an archive's rows back into the log; returns how many were not there already. */
export async function restoreRows(
	db: Database,
	day: string,
	lines: () => AsyncIterable<string>
): Promise<number> {
	await createPartitions(db, [day]);
	let inserted = 0;
	let chunk: string[] = [];
	const flush = async () => {
		if (chunk.length === 0) return;
		const [{ n }] = await rows<{ n: number }>(
			db,
			sql`with added as (
					insert into heartbeats
					select * from json_populate_recordset(null::heartbeats, ${`[${chunk.join(',')}]`}::json)
					on conflict do nothing returning 1)
				select count(*)::int as n from added`
		);
		inserted += n;
		chunk = [];
	};
	for await (const line of lines()) {
		chunk.push(line);
		if (chunk.length >= CHUNK) await flush();
	}
	await flush();
	return inserted;
}
