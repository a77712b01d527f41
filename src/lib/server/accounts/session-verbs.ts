/**
 * Reading and leaving: a download of evidence or a table is recorded (who took which numbers,
 * when), and ending sessions (signing out, the owner ending one or all others from the sessions
 * page, an admin ending all of an account's) is done on the server with its entry, in one
 * transaction. The caller tells the sockets (`sessionsEnded`) with the ids returned.
 */
import { and, eq } from 'drizzle-orm';
import { AppError, ensure } from '../../domain/errors';
import { canManageUser } from '../../domain/roles';
import { audit, type AuditEntry } from '../audit/record';
import type { Database } from '../platform/db/client';
import { sessions, users } from '../platform/db/schema';
import type { Actor } from './actor';
import { endSessionsBut } from './session';
import { normaliseEmail } from './users';

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

/**
 * The owner ends one of their own sessions from the sessions page (`which`: its id), or all but
 * the one they use (`which`: 'others'). Returns the ids ended.
 */
export async function endOwnSessions(
	db: Database,
	actor: Actor,
	current: string,
	which: string
): Promise<string[]> {
	ensure(actor.userId !== null && !actor.readOnly, 'readOnly');
	return db.transaction(async (tx) => {
		let ended: string[];
		if (which === 'others') ended = await endSessionsBut(tx, actor.userId!, current);
		else {
			const gone = await tx
				.delete(sessions)
				.where(and(eq(sessions.id, which), eq(sessions.userId, actor.userId!)))
				.returning({ id: sessions.id });
			ended = gone.map((s) => s.id);
		}
		await audit(tx, actor, {
			action: which === 'others' ? 'session.end_others' : 'session.end',
			subject: actor.email,
			region: actor.scope,
			after: { sessionsEnded: ended.length }
		});
		return ended;
	});
}

/** An admin (or a leader, for the accounts they manage) ends every session of an account. */
export async function endAccountSessions(
	db: Database,
	actor: Actor,
	email: string
): Promise<string[]> {
	const address = normaliseEmail(email);
	return db.transaction(async (tx) => {
		const [user] = await tx.select().from(users).where(eq(users.email, address));
		if (!user) throw new AppError('noAccount', { email: address });
		ensure(canManageUser(actor, user) && user.id !== actor.userId, 'accountForbidden', {
			email: address
		});
		const ended = await endSessionsBut(tx, user.id, null);
		await audit(tx, actor, {
			action: 'session.end_all',
			subject: user.email,
			region: user.scope,
			after: { sessionsEnded: ended.length }
		});
		return ended;
	});
}
