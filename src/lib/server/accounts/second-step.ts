/**
 * Proofs after the password: the second step of signing in (an app code, a recovery code or a
 * passkey turns a `second_factor` session into a new `full` one), the end of forced enrolment, and
 * re-authentication before a dangerous act (the password or a factor again, when the last proof
 * is more than ten minutes old). Every attempt takes a point from the login limits (login.ts), so
 * wrong codes are limited as wrong passwords are, and every outcome is audited, never with a secret.
 */
import { eq } from 'drizzle-orm';
import type { AuthenticationResponseJSON } from '@simplewebauthn/server';
import { needsReauth, TRUST_DAYS } from '../../domain/second-factor';
import { audit } from '../audit/record';
import type { Database } from '../platform/db/client';
import { sessions, trustedDevices, users } from '../platform/db/schema';
import { hashToken } from '../platform/tokens';
import { AppError } from '../../domain/errors';
import { type RelyingParty, useRecoveryCode, verifyPasskey, verifyTotp } from './factors';
import { knownDevice, rememberDevice, takeAttempt, type LoginLimits } from './login';
import { verifyPassword } from './password';
import { createSession, DAY_IN_MS, generateSessionToken, type SessionInfo } from './session';

export type Proof =
	| { kind: 'password'; password: string }
	| { kind: 'totp'; code: string }
	| { kind: 'recovery'; code: string }
	| { kind: 'passkey'; response: AuthenticationResponseJSON; rp: RelyingParty };

export type ProofProblem = 'codeWrong' | 'codeReplayed' | 'passkeyFailed' | 'tooMany';

/** Where the attempt comes from: for the limits, the audit and the new session. */
export interface ProofContext {
	sessionId: string;
	userId: number;
	ip: string;
	/** The browser's device cookie, if any. */
	device?: string | null;
	userAgent?: string | null;
}

async function accountOf(db: Database, userId: number) {
	const [user] = await db.select().from(users).where(eq(users.id, userId));
	if (!user) throw new AppError('noAccount', { email: String(userId) });
	return user;
}

/** Checks a proof; 'ok' or what was wrong with it. */
async function check(
	db: Database,
	userId: number,
	sessionId: string,
	proof: Proof,
	passwordHash: string
): Promise<'ok' | Exclude<ProofProblem, 'tooMany'>> {
	switch (proof.kind) {
		case 'password':
			return (await verifyPassword(passwordHash, proof.password)) ? 'ok' : 'codeWrong';
		case 'totp': {
			const result = await verifyTotp(db, userId, proof.code);
			return result.ok ? 'ok' : result.reason === 'replayed' ? 'codeReplayed' : 'codeWrong';
		}
		case 'recovery':
			return (await useRecoveryCode(db, userId, proof.code)) ? 'ok' : 'codeWrong';
		case 'passkey':
			return (await verifyPasskey(db, userId, sessionId, proof.response, proof.rp))
				? 'ok'
				: 'passkeyFailed';
	}
}

/** Takes a point, checks the proof, audits the outcome; gives the point back when it holds. */
async function attempt(
	db: Database,
	limits: LoginLimits,
	context: ProofContext,
	proof: Proof,
	action: 'login.second_factor' | 'reauth'
): Promise<{ ok: true } | { ok: false; problem: ProofProblem; minutes?: number }> {
	const user = await accountOf(db, context.userId);
	const known = context.device ? await knownDevice(db, context.device, user.id) : null;
	// A password counts as a login attempt does; a code against the account's own code counter.
	const taken = await takeAttempt(limits, {
		ip: context.ip,
		account: user.email,
		knownDevice: known?.id ?? null,
		codes: proof.kind !== 'password'
	});
	const actor = { userId: user.id, email: user.email, ip: context.ip };
	if ('minutes' in taken) {
		await audit(db, actor, {
			action: `${action}.blocked`,
			region: user.scope,
			after: { factor: proof.kind }
		});
		return { ok: false, problem: 'tooMany', minutes: taken.minutes };
	}
	const outcome = await check(db, user.id, context.sessionId, proof, user.passwordHash);
	if (outcome !== 'ok') {
		await audit(db, actor, {
			action: `${action}.failure`,
			region: user.scope,
			after: { factor: proof.kind, reason: outcome }
		});
		return { ok: false, problem: outcome };
	}
	await taken.release();
	return { ok: true };
}

export type SecondStepResult =
	| {
			ok: true;
			token: string;
			expiresAt: Date;
			/** The device cookie to set (this browser is now known; trusted if asked). */
			device: { token: string; expiresAt: Date };
	  }
	| { ok: false; problem: ProofProblem; minutes?: number };

/**
 * The second step of signing in: a factor proved, the pending session is replaced by a new full
 * one (a new token), and, if asked, this browser skips the step for 30 days.
 */
export async function proveSecondFactor(
	db: Database,
	limits: LoginLimits,
	context: ProofContext,
	proof: Exclude<Proof, { kind: 'password' }>,
	trustBrowser: boolean
): Promise<SecondStepResult> {
	const result = await attempt(db, limits, context, proof, 'login.second_factor');
	if (!result.ok) return result;
	return upgradeSession(db, context, { factor: proof.kind, trustBrowser });
}

/**
 * Replaces a pending session by a full one after a proof (the second step, or the first factor of
 * a forced enrolment): one transaction with its audit entry.
 */
export async function upgradeSession(
	db: Database,
	context: ProofContext,
	how: { factor: string; trustBrowser: boolean }
): Promise<Extract<SecondStepResult, { ok: true }>> {
	const user = await accountOf(db, context.userId);
	const token = generateSessionToken();
	return db.transaction(async (tx) => {
		// The pending session must still exist: ended meanwhile (a reset, "end all sessions"), the
		// proof counts for nothing.
		const gone = await tx
			.delete(sessions)
			.where(eq(sessions.id, context.sessionId))
			.returning({ id: sessions.id });
		if (gone.length === 0) throw new AppError('signInExpired');
		const session = await createSession(tx, token, user.id, 'full', {
			userAgent: context.userAgent,
			ip: context.ip
		});
		// Signed in fully: this browser is now one the account knows (its device cookie).
		const known = context.device ? await knownDevice(tx, context.device, user.id) : null;
		const device = await rememberDevice(tx, user.id, known ? context.device! : null);
		if (how.trustBrowser) {
			await tx
				.update(trustedDevices)
				.set({ secondFactorUntil: new Date(Date.now() + TRUST_DAYS * DAY_IN_MS) })
				.where(eq(trustedDevices.tokenHash, hashToken(device.token)));
		}
		// Told once: an admin's reset is acknowledged by the first full sign-in after it.
		if (user.factorsResetAt)
			await tx.update(users).set({ factorsResetAt: null }).where(eq(users.id, user.id));
		await audit(
			tx,
			{ userId: user.id, email: user.email, ip: context.ip },
			{
				action: 'login.second_factor',
				region: user.scope,
				after: { factor: how.factor, trustBrowser: how.trustBrowser }
			}
		);
		return { ok: true as const, token, expiresAt: session.expiresAt, device };
	});
}

/**
 * Re-authentication before a dangerous act: the password or a factor again; the session's last
 * proof becomes now.
 */
export async function reauthenticate(
	db: Database,
	limits: LoginLimits,
	context: ProofContext,
	proof: Proof
): Promise<{ ok: true } | { ok: false; problem: ProofProblem; minutes?: number }> {
	const result = await attempt(db, limits, context, proof, 'reauth');
	if (!result.ok) return result;
	const user = await accountOf(db, context.userId);
	await db.transaction(async (tx) => {
		await tx
			.update(sessions)
			.set({ provenAt: new Date() })
			.where(eq(sessions.id, context.sessionId));
		await audit(
			tx,
			{ userId: user.id, email: user.email, ip: context.ip },
			{ action: 'reauth', region: user.scope, after: { factor: proof.kind } }
		);
	});
	return { ok: true };
}

/**
 * Refuses a dangerous act when the session's last proof is more than ten minutes old
 * (`reauthRequired`, 401): the page asks for the password or a factor, then sends the act again.
 * API tokens never reach a dangerous act (they are read-only); the command line is the operator's.
 */
export function requireRecentProof(session: SessionInfo | null, now = new Date()): void {
	if (!session || needsReauth(session.provenAt, now)) throw new AppError('reauthRequired');
}
