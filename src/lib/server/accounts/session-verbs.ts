/**
 * Reading and leaving: a download of evidence or a table is recorded (who took which numbers,
 * when), and a sign-out ends the session on the server with its entry, in one transaction.
 */
import { eq } from 'drizzle-orm';
import { audit, type AuditEntry } from '../audit/record';
import type { Database } from '../platform/db/client';
import { sessions } from '../platform/db/schema';
import type { Actor } from './actor';

/**
 * Records a download (`export.*`) the route has already checked the actor may read: the
 * entry is the whole change, filed under the region downloaded.
 */
export async function noteDownload(
	db: Database,
	actor: Actor,
	entry: AuditEntry & { action: `export.${string}`; region: string }
): Promise<void> {
	await audit(db, actor, entry);
}

/** Ends a session server-side (a copied cookie is worthless afterwards), with its entry. */
export async function endSession(db: Database, actor: Actor, sessionId: string): Promise<void> {
	await db.transaction(async (tx) => {
		await tx.delete(sessions).where(eq(sessions.id, sessionId));
		await audit(tx, actor, { action: 'logout' });
	});
}
