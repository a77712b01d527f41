/**
 * Second factors: an authenticator app (TOTP), passkeys (WebAuthn, through @simplewebauthn/server,
 * the field's library) and ten one-time recovery codes. What an account has, enrolling and
 * removing (verbs: the owner acts on their own account, in one transaction, audited; adding or
 * removing a factor ends the account's other sessions), checking a code or a passkey for the
 * second step and re-authentication (second-step.ts), and an admin's reset.
 *
 * Nobody reads a secret back: the app's secret is shown once at enrolment, recovery codes are
 * stored as hashes and shown once, a passkey's private key never leaves its device.
 */
import { randomBytes } from 'node:crypto';
import { and, asc, count, eq, isNotNull, isNull } from 'drizzle-orm';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import {
	generateAuthenticationOptions,
	generateRegistrationOptions,
	verifyAuthenticationResponse,
	verifyRegistrationResponse,
	type AuthenticationResponseJSON,
	type AuthenticatorTransport,
	type PublicKeyCredentialCreationOptionsJSON,
	type PublicKeyCredentialRequestOptionsJSON,
	type RegistrationResponseJSON
} from '@simplewebauthn/server';
import { AppError, ensure } from '../../domain/errors';
import { canManageUser } from '../../domain/roles';
import {
	checkTotp,
	normaliseRecoveryCode,
	RECOVERY_CODE_COUNT,
	recoveryCodeFrom,
	totpUri
} from '../../domain/second-factor';
import { audit } from '../audit/record';
import type { Database } from '../platform/db/client';
import {
	passkeys,
	recoveryCodes,
	sessions,
	totpFactors,
	users,
	type User
} from '../platform/db/schema';
import { hashToken } from '../platform/tokens';
import type { Actor } from './actor';
import { endSessionsBut, untrustBrowsers } from './session';
import { normaliseEmail } from './users';

/** The name authenticator apps and passkey prompts show. */
export const ISSUER = 'Pantau Coklit';

export interface FactorSummary {
	/** An authenticator app, confirmed with a first code. */
	totp: boolean;
	passkeys: { id: string; name: string; createdAt: Date; lastUsedAt: Date | null }[];
	/** Recovery codes not used yet. */
	recoveryLeft: number;
}

export const hasFactor = (f: FactorSummary) => f.totp || f.passkeys.length > 0;

export async function factorsOf(db: Database, userId: number): Promise<FactorSummary> {
	const [[totp], keys, [left]] = await Promise.all([
		db
			.select({ confirmedAt: totpFactors.confirmedAt })
			.from(totpFactors)
			.where(eq(totpFactors.userId, userId)),
		db
			.select({
				id: passkeys.id,
				name: passkeys.name,
				createdAt: passkeys.createdAt,
				lastUsedAt: passkeys.lastUsedAt
			})
			.from(passkeys)
			.where(eq(passkeys.userId, userId))
			.orderBy(asc(passkeys.createdAt)),
		db
			.select({ n: count() })
			.from(recoveryCodes)
			.where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)))
	]);
	return { totp: !!totp?.confirmedAt, passkeys: keys, recoveryLeft: left?.n ?? 0 };
}

/** Every account's factors as counts (the users page): an app or not, how many passkeys. */
export async function factorCounts(
	db: Database
): Promise<Map<number, { totp: boolean; passkeys: number }>> {
	const [apps, keys] = await Promise.all([
		db
			.select({ userId: totpFactors.userId })
			.from(totpFactors)
			.where(isNotNull(totpFactors.confirmedAt)),
		db.select({ userId: passkeys.userId, n: count() }).from(passkeys).groupBy(passkeys.userId)
	]);
	const counts = new Map<number, { totp: boolean; passkeys: number }>();
	const of = (id: number) =>
		counts.get(id) ?? counts.set(id, { totp: false, passkeys: 0 }).get(id)!;
	for (const a of apps) of(a.userId).totp = true;
	for (const k of keys) of(k.userId).passkeys = k.n;
	return counts;
}

/** The account a verb acts on: the actor's own, signed in through a page. */
function ownAccount(actor: Actor): number {
	ensure(actor.userId !== null && !actor.readOnly, 'factorsOwnOnly');
	return actor.userId!;
}

// --- recovery codes ------------------------------------------------------------------------------

const recoveryHash = (userId: number, code: string) => hashToken(`${userId}:${code}`);

/** Replaces the account's recovery codes with ten new ones, returned once. */
async function replaceRecoveryCodes(tx: Database, userId: number): Promise<string[]> {
	await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, userId));
	const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () =>
		recoveryCodeFrom(randomBytes(10))
	);
	await tx.insert(recoveryCodes).values(
		codes.map((code) => ({
			userId,
			codeHash: recoveryHash(userId, normaliseRecoveryCode(code)!)
		}))
	);
	return codes;
}

/** New recovery codes for the actor's own account (the old ones stop working); shown once. */
export async function newRecoveryCodes(db: Database, actor: Actor): Promise<string[]> {
	const userId = ownAccount(actor);
	return db.transaction(async (tx) => {
		const codes = await replaceRecoveryCodes(tx, userId);
		await audit(tx, actor, {
			action: 'factor.recovery_codes',
			subject: actor.email,
			region: actor.scope,
			after: { codes: codes.length }
		});
		return codes;
	});
}

/** Uses a recovery code: true once per code. */
export async function useRecoveryCode(db: Database, userId: number, typed: string) {
	const code = normaliseRecoveryCode(typed);
	if (!code) return null;
	const used = await db
		.update(recoveryCodes)
		.set({ usedAt: new Date() })
		.where(
			and(
				eq(recoveryCodes.userId, userId),
				eq(recoveryCodes.codeHash, recoveryHash(userId, code)),
				isNull(recoveryCodes.usedAt)
			)
		)
		.returning({ id: recoveryCodes.id });
	return used.length === 1;
}

/**
 * What follows every change of the owner's factors, in its transaction: the first factor's
 * recovery codes (when none are left unused), the account's other sessions ended, every browser's
 * trust withdrawn, and the audit entry.
 */
async function factorChanged(
	tx: Database,
	actor: Actor,
	sessionId: string | null,
	entry: {
		action: `factor.${'totp' | 'passkey'}_${'add' | 'remove'}`;
		before?: Record<string, unknown>;
		after?: Record<string, unknown>;
	}
): Promise<{ recoveryCodes: string[] | null; endedSessions: string[] }> {
	const userId = actor.userId!;
	let codes: string[] | null = null;
	if (entry.action.endsWith('_add')) {
		const [left] = await tx
			.select({ n: count() })
			.from(recoveryCodes)
			.where(and(eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
		if ((left?.n ?? 0) === 0) codes = await replaceRecoveryCodes(tx, userId);
	}
	const endedSessions = await endSessionsBut(tx, userId, sessionId);
	await untrustBrowsers(tx, userId);
	await audit(tx, actor, {
		action: entry.action,
		subject: actor.email,
		region: actor.scope,
		...(entry.before ? { before: entry.before } : {}),
		after: { ...entry.after, sessionsEnded: endedSessions.length }
	});
	return { recoveryCodes: codes, endedSessions };
}

// --- authenticator app (TOTP) --------------------------------------------------------------------

/**
 * Begins enrolling an authenticator app: a new 160-bit secret, kept unconfirmed until a first
 * code, shown once as text and as the QR code's otpauth:// URI. An app already confirmed must be
 * removed first.
 */
export async function startTotp(db: Database, actor: Actor) {
	const userId = ownAccount(actor);
	const secret = randomBytes(20);
	await db.transaction(async (tx) => {
		const [existing] = await tx
			.select({ confirmedAt: totpFactors.confirmedAt })
			.from(totpFactors)
			.where(eq(totpFactors.userId, userId))
			.for('update');
		if (existing?.confirmedAt) throw new AppError('totpExists');
		await tx
			.insert(totpFactors)
			.values({ userId, secret })
			.onConflictDoUpdate({
				target: totpFactors.userId,
				set: { secret, createdAt: new Date(), lastStep: 0 }
			});
	});
	const text = encodeBase32UpperCaseNoPadding(secret);
	return { secret: text, uri: totpUri(ISSUER, actor.email, text) };
}

/** The secret of an enrolment under way, to show again while the person types the first code. */
export async function pendingTotpSecret(db: Database, userId: number) {
	const [row] = await db
		.select({ secret: totpFactors.secret, confirmedAt: totpFactors.confirmedAt })
		.from(totpFactors)
		.where(eq(totpFactors.userId, userId));
	if (!row || row.confirmedAt) return null;
	return encodeBase32UpperCaseNoPadding(row.secret);
}

/**
 * Confirms the app with a first code. The first factor of an account also gets its recovery
 * codes (returned, shown once). The account's other sessions end (`sessionId` is kept).
 */
export async function confirmTotp(
	db: Database,
	actor: Actor,
	code: string,
	sessionId: string | null
): Promise<{ recoveryCodes: string[] | null; endedSessions: string[] }> {
	const userId = ownAccount(actor);
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select()
			.from(totpFactors)
			.where(eq(totpFactors.userId, userId))
			.for('update');
		if (!row || row.confirmedAt) throw new AppError('totpNotStarted');
		const check = checkTotp(row.secret, code, Date.now(), row.lastStep);
		if (!check.ok) throw new AppError('totpWrong');
		await tx
			.update(totpFactors)
			.set({ confirmedAt: new Date(), lastStep: check.step })
			.where(eq(totpFactors.userId, userId));
		return factorChanged(tx, actor, sessionId, { action: 'factor.totp_add' });
	});
}

/**
 * Checks an app code for the second step or re-authentication: accepted once (the step is kept),
 * within two steps of drift.
 */
export async function verifyTotp(db: Database, userId: number, code: string) {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select()
			.from(totpFactors)
			.where(eq(totpFactors.userId, userId))
			.for('update');
		if (!row?.confirmedAt) return { ok: false as const, reason: 'none' as const };
		const check = checkTotp(row.secret, code, Date.now(), row.lastStep);
		if (!check.ok) return check;
		await tx
			.update(totpFactors)
			.set({ lastStep: check.step })
			.where(eq(totpFactors.userId, userId));
		return check;
	});
}

/** A required role keeps at least one factor: the last one cannot be removed, only replaced. */
async function checkNotLast(
	tx: Database,
	userId: number,
	required: boolean,
	removing: 'totp' | string
) {
	if (!required) return;
	const f = await factorsOf(tx, userId);
	const left =
		(removing === 'totp' ? 0 : f.totp ? 1 : 0) + f.passkeys.filter((p) => p.id !== removing).length;
	if (left === 0) throw new AppError('lastFactor');
}

export async function removeTotp(
	db: Database,
	actor: Actor,
	sessionId: string | null,
	required: boolean
): Promise<string[]> {
	const userId = ownAccount(actor);
	return db.transaction(async (tx) => {
		await checkNotLast(tx, userId, required, 'totp');
		const removed = await tx
			.delete(totpFactors)
			.where(eq(totpFactors.userId, userId))
			.returning({ confirmedAt: totpFactors.confirmedAt });
		if (!removed[0]?.confirmedAt) throw new AppError('totpNotStarted');
		const changed = await factorChanged(tx, actor, sessionId, { action: 'factor.totp_remove' });
		return changed.endedSessions;
	});
}

// --- passkeys ------------------------------------------------------------------------------------

/** Where passkeys are bound: the site's host name (an IP address cannot hold one) and origin. */
export interface RelyingParty {
	id: string;
	origin: string;
}

export const relyingParty = (url: URL): RelyingParty => ({
	id: url.hostname,
	origin: url.origin
});

async function keepChallenge(db: Database, sessionId: string, challenge: string) {
	await db.update(sessions).set({ challenge }).where(eq(sessions.id, sessionId));
}

/** The session's passkey challenge, read and cleared: a challenge is answered once. */
async function readAndClearChallenge(db: Database, sessionId: string): Promise<string | null> {
	return db.transaction(async (tx) => {
		const [row] = await tx
			.select({ challenge: sessions.challenge })
			.from(sessions)
			.where(eq(sessions.id, sessionId))
			.for('update');
		if (!row?.challenge) return null;
		await tx.update(sessions).set({ challenge: null }).where(eq(sessions.id, sessionId));
		return row.challenge;
	});
}

/** The account's passkeys as a ceremony names them: to exclude at registration, to allow at sign-in. */
async function credentialsOf(db: Database, userId: number) {
	const keys = await db
		.select({ id: passkeys.id, transports: passkeys.transports })
		.from(passkeys)
		.where(eq(passkeys.userId, userId));
	return keys.map((k) => ({ id: k.id, transports: k.transports as AuthenticatorTransport[] }));
}

export async function passkeyRegistrationOptions(
	db: Database,
	user: Pick<User, 'id' | 'email' | 'name'>,
	sessionId: string,
	rp: RelyingParty
): Promise<PublicKeyCredentialCreationOptionsJSON> {
	const options = await generateRegistrationOptions({
		rpName: ISSUER,
		rpID: rp.id,
		userName: user.email,
		userDisplayName: user.name,
		attestationType: 'none',
		excludeCredentials: await credentialsOf(db, user.id),
		authenticatorSelection: { residentKey: 'preferred', userVerification: 'preferred' }
	});
	await keepChallenge(db, sessionId, options.challenge);
	return options;
}

/** Registers the passkey the browser made, under a name its owner chose. */
export async function addPasskey(
	db: Database,
	actor: Actor,
	sessionId: string,
	response: RegistrationResponseJSON,
	name: string,
	rp: RelyingParty
): Promise<{ endedSessions: string[]; recoveryCodes: string[] | null }> {
	const userId = ownAccount(actor);
	const challenge = await readAndClearChallenge(db, sessionId);
	if (!challenge) throw new AppError('passkeyFailed');
	const result = await verifyRegistrationResponse({
		response,
		expectedChallenge: challenge,
		expectedOrigin: rp.origin,
		expectedRPID: rp.id,
		requireUserVerification: false
	}).catch(() => null);
	if (!result?.verified) throw new AppError('passkeyFailed');
	const { credential } = result.registrationInfo;
	return db.transaction(async (tx) => {
		// The same credential twice (the browser ignored excludeCredentials): refused, not a 500.
		const [again] = await tx
			.select({ id: passkeys.id })
			.from(passkeys)
			.where(eq(passkeys.id, credential.id));
		if (again) throw new AppError('passkeyFailed');
		await tx.insert(passkeys).values({
			id: credential.id,
			userId,
			name: name.trim().slice(0, 60) || 'Passkey',
			publicKey: Buffer.from(credential.publicKey),
			counter: credential.counter,
			transports: credential.transports ?? []
		});
		return factorChanged(tx, actor, sessionId, {
			action: 'factor.passkey_add',
			after: { name }
		});
	});
}

export async function removePasskey(
	db: Database,
	actor: Actor,
	id: string,
	sessionId: string | null,
	required: boolean
): Promise<string[]> {
	const userId = ownAccount(actor);
	return db.transaction(async (tx) => {
		await checkNotLast(tx, userId, required, id);
		const removed = await tx
			.delete(passkeys)
			.where(and(eq(passkeys.id, id), eq(passkeys.userId, userId)))
			.returning({ name: passkeys.name });
		if (removed.length === 0) throw new AppError('noPasskey');
		const changed = await factorChanged(tx, actor, sessionId, {
			action: 'factor.passkey_remove',
			before: { name: removed[0].name }
		});
		return changed.endedSessions;
	});
}

export async function passkeyAuthenticationOptions(
	db: Database,
	userId: number,
	sessionId: string,
	rp: RelyingParty
): Promise<PublicKeyCredentialRequestOptionsJSON> {
	const options = await generateAuthenticationOptions({
		rpID: rp.id,
		allowCredentials: await credentialsOf(db, userId),
		userVerification: 'preferred'
	});
	await keepChallenge(db, sessionId, options.challenge);
	return options;
}

/** Checks a passkey's answer to the session's challenge; keeps the authenticator's counter. */
export async function verifyPasskey(
	db: Database,
	userId: number,
	sessionId: string,
	response: AuthenticationResponseJSON,
	rp: RelyingParty
): Promise<boolean> {
	const challenge = await readAndClearChallenge(db, sessionId);
	if (!challenge || typeof response?.id !== 'string') return false;
	const [key] = await db
		.select()
		.from(passkeys)
		.where(and(eq(passkeys.id, response.id), eq(passkeys.userId, userId)));
	if (!key) return false;
	const result = await verifyAuthenticationResponse({
		response,
		expectedChallenge: challenge,
		expectedOrigin: rp.origin,
		expectedRPID: rp.id,
		credential: {
			id: key.id,
			publicKey: new Uint8Array(key.publicKey),
			counter: key.counter,
			transports: key.transports as AuthenticatorTransport[]
		},
		requireUserVerification: false
	}).catch(() => null);
	if (!result?.verified) return false;
	await db
		.update(passkeys)
		.set({ counter: result.authenticationInfo.newCounter, lastUsedAt: new Date() })
		.where(eq(passkeys.id, key.id));
	return true;
}

// --- an admin's reset ----------------------------------------------------------------------------

/**
 * Removes every factor of an account the actor manages (a lost phone): the app, the passkeys, the
 * recovery codes; ends its sessions; the owner is told at next sign-in and enrols again.
 */
export async function resetFactors(
	db: Database,
	actor: Actor,
	email: string
): Promise<{ endedSessions: string[] }> {
	const address = normaliseEmail(email);
	return db.transaction(async (tx) => {
		const [user] = await tx.select().from(users).where(eq(users.email, address)).for('update');
		if (!user) throw new AppError('noAccount', { email: address });
		ensure(canManageUser(actor, user) && user.id !== actor.userId, 'accountForbidden', {
			email: address
		});
		const before = await factorsOf(tx, user.id);
		await tx.delete(totpFactors).where(eq(totpFactors.userId, user.id));
		await tx.delete(passkeys).where(eq(passkeys.userId, user.id));
		await tx.delete(recoveryCodes).where(eq(recoveryCodes.userId, user.id));
		await tx.update(users).set({ factorsResetAt: new Date() }).where(eq(users.id, user.id));
		await untrustBrowsers(tx, user.id);
		const endedSessions = await endSessionsBut(tx, user.id, null);
		await audit(tx, actor, {
			action: 'factor.reset',
			subject: user.email,
			region: user.scope,
			before: {
				app: before.totp,
				passkeys: before.passkeys.length,
				recoveryLeft: before.recoveryLeft
			},
			after: { sessionsEnded: endedSessions.length }
		});
		return { endedSessions };
	});
}

/** The owner has been told of an admin's reset (shown on the account page once signed in). */
export async function acknowledgeReset(db: Database, userId: number): Promise<void> {
	await db.update(users).set({ factorsResetAt: null }).where(eq(users.id, userId));
}
