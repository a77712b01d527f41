/**
 * Moving closed days of the heartbeat log into archive files and back (archive.ts says how):
 * national admins only; each day's move, its `log_archives` row and its audit entry in one
 * transaction.
 */
import { sql } from 'drizzle-orm';
import { addDays, isLocalDate, localDate, ZONES } from '../../domain/calendar';
import { NATION_CODE } from '../../domain/codes';
import { AppError, ensure } from '../../domain/errors';
import { canArchiveLog } from '../../domain/roles';
import { audit } from '../audit/record';
import { rows, type Database } from '../platform/db/client';
import { createPartitions } from './partitions';
import { logArchives } from '../platform/db/schema';
import {
	archivableDays,
	archiveDay,
	readArchive,
	restoreRows,
	type ArchiveManifest
} from './archive';
import type { Actor } from '../accounts/actor';

export interface ArchiveDeps {
	db: Database;
	now: () => number;
}

/**
 * Archives every day of the log before `before` into `folder`, but never yesterday or today (WIB:
 * backlogs of the day before still arrive), nor a day a heartbeat received across the cut ties to
 * the database (named in `heldBack`).
 */
export async function archiveLog(
	deps: ArchiveDeps,
	actor: Actor,
	input: { before: string; folder: string }
): Promise<{ archived: ArchiveManifest[]; heldBack: { day: string; heartbeats: number } | null }> {
	ensure(canArchiveLog(actor), 'logForbidden');
	if (!isLocalDate(input.before)) throw new AppError('badDate', { given: input.before });
	const yesterday = addDays(localDate(new Date(deps.now()), ZONES.WIB), -1);
	const before = input.before < yesterday ? input.before : yesterday;
	const { days, heldBack } = await archivableDays(deps.db, before);
	if (days.length === 0)
		throw heldBack
			? new AppError('archiveHeldBack', { before, ...heldBack })
			: new AppError('archiveNothing', { before });
	const archived: ArchiveManifest[] = [];
	for (const day of days)
		archived.push(
			await archiveDay(deps.db, day, input.folder, async (tx, manifest) => {
				await tx.insert(logArchives).values({
					day,
					action: 'archive',
					rows: manifest.rows,
					sha256: manifest.sha256,
					file: manifest.file,
					actor: actor.email
				});
				await audit(tx, actor, {
					action: 'log.archive',
					subject: day,
					region: NATION_CODE,
					after: { rows: manifest.rows, sha256: manifest.sha256, file: manifest.file }
				});
			})
		);
	return { archived, heldBack };
}

/** Puts an archive file back into the log, if it is one this database archived, unchanged. */
export async function restoreLog(
	deps: ArchiveDeps,
	actor: Actor,
	file: string
): Promise<{ day: string; rows: number; inserted: number }> {
	ensure(canArchiveLog(actor), 'logForbidden');
	const { manifest, lines } = await readArchive(file);
	// The day's partition in a transaction of its own: making one locks the whole log, which the
	// long insert below must not hold.
	await createPartitions(deps.db, [manifest.day]);
	return deps.db.transaction(async (tx) => {
		const [known] = await rows<{ n: number }>(
			tx,
			sql`select count(*)::int as n from log_archives
				where action = 'archive' and day = ${manifest.day} and sha256 = ${manifest.sha256}`
		);
		if (known.n === 0) throw new AppError('archiveUnknown', { file });
		const inserted = await restoreRows(tx, lines, { file, sha256: manifest.sha256 });
		await tx.insert(logArchives).values({
			day: manifest.day,
			action: 'restore',
			rows: inserted,
			sha256: manifest.sha256,
			file: manifest.file,
			actor: actor.email
		});
		await audit(tx, actor, {
			action: 'log.restore',
			subject: manifest.day,
			region: NATION_CODE,
			after: { rows: manifest.rows, inserted, sha256: manifest.sha256 }
		});
		return { day: manifest.day, rows: manifest.rows, inserted };
	});
}
