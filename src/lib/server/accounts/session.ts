/**
 * Sessions as the Lucia guide teaches: a random token in an HttpOnly cookie, its SHA-256 as the
 * session id in the database, 30 days of sliding expiry (renewed when less than 15 remain).
 */
import { eq } from 'drizzle-orm';
import type { Database } from '../platform/db/client';
import { sessions, users, type User } from '../platform/db/schema';
import { generateToken, hashToken } from '../platform/tokens';

export const DAY_IN_MS = 86_400_000;
const SESSION_DAYS = 30;
export const sessionCookieName = 'pantau_session';

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role' | 'scope'>;
export type SessionValidation =
	{ session: { id: string; expiresAt: Date }; user: SessionUser } | { session: null; user: null };

export const generateSessionToken = () => generateToken('pcs');

export async function createSession(db: Database, token: string, userId: number) {
	const session = {
		id: hashToken(token),
		userId,
		expiresAt: new Date(Date.now() + SESSION_DAYS * DAY_IN_MS)
	};
	await db.insert(sessions).values(session);
	return session;
}

export async function validateSessionToken(
	db: Database,
	token: string
): Promise<SessionValidation> {
	const id = hashToken(token);
	const [row] = await db
		.select({
			session: { id: sessions.id, expiresAt: sessions.expiresAt },
			user: {
				id: users.id,
				email: users.email,
				name: users.name,
				role: users.role,
				scope: users.scope,
				disabledAt: users.disabledAt
			}
		})
		.from(sessions)
		.innerJoin(users, eq(sessions.userId, users.id))
		.where(eq(sessions.id, id));
	if (!row) return { session: null, user: null };
	const { session, user } = row;
	if (Date.now() >= session.expiresAt.getTime() || user.disabledAt !== null) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return { session: null, user: null };
	}
	if (Date.now() >= session.expiresAt.getTime() - (SESSION_DAYS / 2) * DAY_IN_MS) {
		session.expiresAt = new Date(Date.now() + SESSION_DAYS * DAY_IN_MS);
		await db.update(sessions).set({ expiresAt: session.expiresAt }).where(eq(sessions.id, id));
	}
	return {
		session,
		user: { id: user.id, email: user.email, name: user.name, role: user.role, scope: user.scope }
	};
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

export async function invalidateUserSessions(db: Database, userId: number): Promise<void> {
	await db.delete(sessions).where(eq(sessions.userId, userId));
}
