/**
 * Roster and target imports: a file is checked into a preview (nothing written but the preview
 * itself, kept in the database for an hour so that the confirmation may reach any process), then
 * applied by the person who checked it, the valid rows only if they ask. The changes, the audit
 * entry and the preview's use in one transaction; then `roster`, which moves the roll-ups here and
 * (over Redis) in every other process.
 */
import { commonRegion } from '../../domain/codes';
import { randomUUID } from 'node:crypto';
import { and, eq, gt, isNull, lt, sql } from 'drizzle-orm';
import { AppError, ensure } from '../../domain/errors';
import type { RosterChange } from '../../domain/roster';
import { canImport } from '../../domain/roles';
import { audit } from '../audit/record';
import type { Database } from '../platform/db/client';
import { importPreviews } from '../platform/db/schema';
import type { EventBus } from '../platform/events';
import { applyImport, previewImport, readRosterFile, type Preview } from './import';
import type { Actor } from '../accounts/actor';

const PREVIEW_MS = 60 * 60_000;

export interface ImportDeps {
	db: Database;
	bus?: EventBus;
	now?: () => number;
}

/** Checks a file against the database and the actor's region; keeps the preview for an hour. */
export async function previewRoster(
	deps: ImportDeps,
	actor: Actor,
	name: string,
	bytes: Uint8Array
): Promise<{ id: string; preview: Preview }> {
	ensure(canImport(actor), 'importForbidden');
	const preview = await previewImport(deps.db, await readRosterFile(name, bytes), actor.scope);
	const id = randomUUID();
	const now = deps.now?.() ?? Date.now();
	// Old previews go as new ones come: they are working data, not a record (the audit log is).
	await deps.db.delete(importPreviews).where(lt(importPreviews.expiresAt, new Date(now)));
	await deps.db.insert(importPreviews).values({
		id,
		userId: actor.userId ?? 0,
		name,
		preview,
		expiresAt: new Date(now + PREVIEW_MS)
	});
	return { id, preview };
}

/** Applies a preview its actor made, once; refused while it has errors unless `validOnly`. */
export async function applyRoster(
	deps: ImportDeps,
	actor: Actor,
	id: string,
	validOnly: boolean
): Promise<{ name: string; applied: number }> {
	ensure(canImport(actor), 'importForbidden');
	if (!/^[0-9a-f-]{36}$/i.test(id)) throw new AppError('importExpired');
	const now = new Date(deps.now?.() ?? Date.now());
	const done = await deps.db.transaction(async (tx) => {
		const [held] = await tx
			.update(importPreviews)
			.set({ appliedAt: now })
			.where(
				and(
					eq(importPreviews.id, id),
					eq(importPreviews.userId, actor.userId ?? 0),
					isNull(importPreviews.appliedAt),
					gt(importPreviews.expiresAt, now)
				)
			)
			.returning({ name: importPreviews.name, preview: importPreviews.preview });
		if (!held) throw new AppError('importExpired');
		const preview = held.preview as Preview;
		if (preview.errors.length > 0 && !validOnly) throw new AppError('importStillErrors');
		return {
			name: held.name,
			...(await writeChanges(tx, actor, held.name, preview, validOnly))
		};
	});
	announce(deps, done.changes, done.deltas);
	return { name: done.name, applied: done.changes.length };
}

/** The command line's import: checked and applied in one step (it prints the problems first). */
export async function importRoster(
	deps: ImportDeps,
	actor: Actor,
	name: string,
	preview: Preview,
	validOnly: boolean
): Promise<number> {
	ensure(canImport(actor), 'importForbidden');
	if (preview.errors.length > 0 && !validOnly) throw new AppError('importStillErrors');
	const done = await deps.db.transaction((tx) => writeChanges(tx, actor, name, preview, validOnly));
	announce(deps, done.changes, done.deltas);
	return done.changes.length;
}

async function writeChanges(
	tx: Database,
	actor: Actor,
	name: string,
	preview: Preview,
	validOnly: boolean
) {
	const deltas = await applyImport(tx, preview.changes);
	await audit(tx, actor, {
		action: 'import.roster',
		subject: name,
		region: commonRegion(preview.changes.map((c) => c.tps)),
		after: {
			changes: preview.changes.length,
			targets: preview.targets,
			people: preview.people,
			errors: preview.errors.length,
			validOnly
		}
	});
	return { changes: preview.changes, deltas };
}

function announce(
	deps: ImportDeps,
	changes: readonly RosterChange[],
	deltas: Awaited<ReturnType<typeof applyImport>>
) {
	deps.bus?.emit('roster', {
		deltas,
		targets: changes
			.filter((c) => c.target !== undefined)
			.map((c) => ({ tps: c.tps, target: c.target! })),
		origin: 'local'
	});
}

/** How many previews are waiting (for tests and diagnostics). */
export async function pendingPreviews(db: Database): Promise<number> {
	const [row] = await db
		.select({ n: sql<number>`count(*)::int` })
		.from(importPreviews)
		.where(isNull(importPreviews.appliedAt));
	return row.n;
}
