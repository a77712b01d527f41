/**
 * Sessions as the Lucia guide teaches: a random token in an HttpOnly cookie, its SHA-256 as the
 * session id in the database, 30 days of sliding expiry (renewed when less than 15 remain).
 *
 * A session has a stage (domain/second-factor.ts): after a correct password it may be only the
 * next step of signing in (`second_factor`, `enrol`), for 15 minutes; the second step replaces it
 * with a new `full` session (a new token: what was known before the proof is worth nothing after).
 * Each keeps the browser and address it began with and when it was last seen, for its owner's
 * list, and the time of the last proof of identity, for re-authentication.
 */
import { and, eq, gt, inArray, ne } from 'drizzle-orm';
import type { SessionStage } from '../../domain/second-factor';
import type { Database } from '../platform/db/client';
import { sessions, trustedDevices, users, type User } from '../platform/db/schema';
import { generateToken, hashToken } from '../platform/tokens';

export const DAY_IN_MS = 86_400_000;
const SESSION_DAYS = 30;
/** A session that has only passed the password ends after this, whatever happens. */
const PENDING_MS = 15 * 60_000;
/** `last_seen_at` is written at most this often per session. */
const SEEN_EVERY_MS = 60_000;
export const sessionCookieName = 'pantau_session';

export type SessionUser = Pick<User, 'id' | 'email' | 'name' | 'role' | 'scope'>;
export interface SessionInfo {
	id: string;
	expiresAt: Date;
	stage: SessionStage;
	provenAt: Date;
}
export type SessionValidation =
	{ session: SessionInfo; user: SessionUser } | { session: null; user: null };

export const generateSessionToken = () => generateToken('pcs');

/** Where a session began: the browser's User-Agent and its address. */
export interface SessionOrigin {
	userAgent?: string | null;
	ip?: string | null;
}

export async function createSession(
	db: Database,
	token: string,
	userId: number,
	stage: SessionStage = 'full',
	origin: SessionOrigin = {}
) {
	const now = Date.now();
	const session = {
		id: hashToken(token),
		userId,
		stage,
		expiresAt: new Date(now + (stage === 'full' ? SESSION_DAYS * DAY_IN_MS : PENDING_MS)),
		userAgent: origin.userAgent?.slice(0, 500) ?? null,
		ip: origin.ip ?? null
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
			session: {
				id: sessions.id,
				expiresAt: sessions.expiresAt,
				stage: sessions.stage,
				provenAt: sessions.provenAt,
				lastSeenAt: sessions.lastSeenAt
			},
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
	const now = Date.now();
	if (now >= session.expiresAt.getTime() || user.disabledAt !== null) {
		await db.delete(sessions).where(eq(sessions.id, id));
		return { session: null, user: null };
	}
	const renew =
		session.stage === 'full' && now >= session.expiresAt.getTime() - (SESSION_DAYS / 2) * DAY_IN_MS;
	if (renew) session.expiresAt = new Date(now + SESSION_DAYS * DAY_IN_MS);
	if (renew || now - session.lastSeenAt.getTime() >= SEEN_EVERY_MS)
		await db
			.update(sessions)
			.set({ expiresAt: session.expiresAt, lastSeenAt: new Date(now) })
			.where(eq(sessions.id, id));
	return {
		session: {
			id: session.id,
			expiresAt: session.expiresAt,
			stage: session.stage,
			provenAt: session.provenAt
		},
		user: { id: user.id, email: user.email, name: user.name, role: user.role, scope: user.scope }
	};
}

export async function invalidateSession(db: Database, sessionId: string): Promise<void> {
	await db.delete(sessions).where(eq(sessions.id, sessionId));
}

/** Ends an account's sessions except `keep` (all when null); returns the ids ended. */
export async function endSessionsBut(
	db: Database,
	userId: number,
	keep: string | null
): Promise<string[]> {
	const ended = await db
		.delete(sessions)
		.where(
			keep ? and(eq(sessions.userId, userId), ne(sessions.id, keep)) : eq(sessions.userId, userId)
		)
		.returning({ id: sessions.id });
	return ended.map((s) => s.id);
}

/** An account's open sessions, newest first, as its owner sees them. */
export async function listSessions(db: Database, userId: number) {
	const rows = await db
		.select({
			id: sessions.id,
			stage: sessions.stage,
			createdAt: sessions.createdAt,
			lastSeenAt: sessions.lastSeenAt,
			expiresAt: sessions.expiresAt,
			userAgent: sessions.userAgent,
			ip: sessions.ip
		})
		.from(sessions)
		.where(eq(sessions.userId, userId));
	const now = Date.now();
	return rows
		.filter((s) => s.expiresAt.getTime() > now)
		.sort((a, b) => b.lastSeenAt.getTime() - a.lastSeenAt.getTime());
}

/** Which of these sessions still exist and have not expired. */
export async function liveSessions(db: Database, ids: string[]): Promise<string[]> {
	if (ids.length === 0) return [];
	const rows = await db
		.select({ id: sessions.id })
		.from(sessions)
		.where(and(inArray(sessions.id, ids), gt(sessions.expiresAt, new Date())));
	return rows.map((r) => r.id);
}

/**
 * Every browser of the account must prove a factor again at its next sign-in (after a change of
 * factors or password: a browser trusted before may be the reason for the change).
 */
export async function untrustBrowsers(db: Database, userId: number): Promise<void> {
	await db
		.update(trustedDevices)
		.set({ secondFactorUntil: null })
		.where(eq(trustedDevices.userId, userId));
}
