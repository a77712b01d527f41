/** The audit log: who did what, when, with the before and after of every change. */
import type { Database } from '../db/client';
import { auditLog } from '../db/schema';

export interface AuditEntry {
	userId?: number | null;
	/** The account's email, or `cli` for the command line. */
	actor: string;
	action: string;
	subject?: string | null;
	before?: unknown;
	after?: unknown;
	ip?: string | null;
}

export async function audit(db: Database, entry: AuditEntry): Promise<void> {
	await db.insert(auditLog).values({
		userId: entry.userId ?? null,
		actor: entry.actor,
		action: entry.action,
		subject: entry.subject ?? null,
		before: entry.before ?? null,
		after: entry.after ?? null,
		ip: entry.ip ?? null
	});
}
