/**
 * The audit log: who did what, when, with the before and after of every change. A verb writes its
 * entry in the same transaction as its change (pass the transaction as `db`), so a change never
 * stands without its entry, nor an entry without its change. The table refuses UPDATE and DELETE.
 */
import type { Database } from '../db/client';
import { auditLog } from '../db/schema';
import type { Actor } from '../verbs/actor';

export interface AuditEntry {
	action: string;
	subject?: string | null;
	before?: unknown;
	after?: unknown;
}

export async function audit(
	db: Database,
	actor: Pick<Actor, 'userId' | 'email' | 'ip'>,
	entry: AuditEntry
): Promise<void> {
	await db.insert(auditLog).values({
		userId: actor.userId ?? null,
		actor: actor.email,
		action: entry.action,
		subject: entry.subject ?? null,
		before: entry.before ?? null,
		after: entry.after ?? null,
		ip: actor.ip ?? null
	});
}
