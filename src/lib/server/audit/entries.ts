/**
 * The audit page's read side: a reader's entries, newest first, a page at a time. A reader sees the
 * entries filed under their own scope: the nation's reader every entry (also those from before
 * entries carried a region), a province's reader that province's.
 */
import { and, desc, lt, sql } from 'drizzle-orm';
import { fieldChanges } from '../../domain/audit';
import { NATION_CODE } from '../../domain/codes';
import { AppError } from '../../domain/errors';
import { canReadAudit, type Principal } from '../../domain/roles';
import type { Database } from '../platform/db/client';
import { auditLog } from '../platform/db/schema';
import { withinRegion } from '../platform/db/sql';

export const AUDIT_PAGE = 100;

/** One page of entries older than `before` (an entry id), or the newest when it is null. */
export async function auditEntries(db: Database, viewer: Principal, before: number | null) {
	if (!canReadAudit(viewer)) throw new AppError('auditForbidden');
	const inScope =
		viewer.scope === NATION_CODE
			? undefined
			: sql`${auditLog.regionCode} is not null and ${withinRegion(sql`${auditLog.regionCode}`, viewer.scope)}`;
	const entries = await db
		.select()
		.from(auditLog)
		.where(and(before ? lt(auditLog.id, before) : undefined, inScope))
		.orderBy(desc(auditLog.id))
		.limit(AUDIT_PAGE);
	return {
		entries: entries.map((e) => ({
			id: e.id,
			at: e.at.getTime(),
			actor: e.actor,
			action: e.action,
			subject: e.subject,
			region: e.regionCode,
			changes: fieldChanges(e.before ?? null, e.after ?? null),
			ip: e.ip
		})),
		next: entries.length === AUDIT_PAGE ? entries.at(-1)!.id : null
	};
}
