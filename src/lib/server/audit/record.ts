/**
 * The audit log: who did what, when, with the before and after of every change. A verb writes its
 * entry in the same transaction as its change (pass the transaction as `db`), so a change never
 * stands without its entry, nor an entry without its change. The table refuses UPDATE and DELETE.
 * Each entry is filed under the region it is about, so that a reader sees their own scope's.
 */
import { NATION_CODE } from '../../domain/codes';
import type { Database } from '../platform/db/client';
import { auditLog } from '../platform/db/schema';
import type { Actor } from '../accounts/actor';

export interface AuditEntry {
	action: string;
	subject?: string | null;
	/** The region it is about (domain/codes.ts commonRegion for several); the actor's scope if omitted. */
	region?: string;
	before?: unknown;
	after?: unknown;
}

export async function audit(
	db: Database,
	actor: Pick<Actor, 'userId' | 'email' | 'ip'> & { scope?: string },
	entry: AuditEntry
): Promise<void> {
	await db.insert(auditLog).values({
		userId: actor.userId ?? null,
		actor: actor.email,
		action: entry.action,
		subject: entry.subject ?? null,
		before: entry.before ?? null,
		after: entry.after ?? null,
		ip: actor.ip ?? null,
		regionCode: entry.region ?? actor.scope ?? NATION_CODE
	});
}
