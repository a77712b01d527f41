/**
 * Login: a wrong password and an unknown email get the same answer after the same work, and
 * every attempt is audited. Guessing is limited without handing an account's lock to strangers
 * (OWASP's authentication cheat sheet, "device cookies"):
 *
 * - per address: 20 failures in 15 minutes lock that address out, whatever the account;
 * - per account, from browsers it does not know: 5 failures in 15 minutes lock the account for
 *   unknown browsers only;
 * - a browser where the account signed in before carries a device cookie (random, stored hashed,
 *   bound to the account): its attempts are counted per device (5 in 15 minutes) and pass an
 *   account locked for strangers. So a stranger's five wrong passwords do not keep the official
 *   out of the phone or laptop they always use.
 *
 * Wrong second-factor codes (second-step.ts) count against the same limits.
 *
 * A correct password leads to a session whose stage says what comes next (domain/second-factor.ts):
 * the second step when the account has a factor and this browser is not trusted for it, enrolment
 * when the role requires a factor and none is enrolled, else a full session.
 *
 * With REDIS_URL the counters live in Redis, shared by every server process.
 */
import { NATION_CODE } from '../../domain/codes';
import { and, eq, gt } from 'drizzle-orm';
import {
	RateLimiterMemory,
	RateLimiterRedis,
	RateLimiterRes,
	type RateLimiterAbstract
} from 'rate-limiter-flexible';
import type { Database } from '../platform/db/client';
import { trustedDevices } from '../platform/db/schema';
import type { RedisClient } from '../platform/redis';
import { audit } from '../audit/record';
import { decoyHash, verifyPassword } from './password';
import { createSession, DAY_IN_MS, generateSessionToken } from './session';
import { generateToken, hashToken } from '../platform/tokens';
import { findUserByEmail, normaliseEmail } from './users';
import { factorsOf, hasFactor } from './factors';
import {
	DEFAULT_SECOND_FACTOR_ROLES,
	signInStage,
	type SessionStage
} from '../../domain/second-factor';
import type { Role } from '../../domain/roles';

export const deviceCookieName = 'pantau_device';
const DEVICE_DAYS = 180;
const WINDOW_SECONDS = 15 * 60;

export interface LoginLimits {
	perAddress: RateLimiterAbstract;
	/** Failures from browsers the account does not know. */
	perAccount: RateLimiterAbstract;
	/** Failures from one known browser. */
	perDevice: RateLimiterAbstract;
	/**
	 * Wrong codes of one account (second step, re-authentication), whatever the browser: a
	 * correct password never resets it, so knowing the password buys no more guesses.
	 */
	secondStep: RateLimiterAbstract;
}

/** The counters: in this process, or in Redis (shared by every process) when given a client. */
export function loginLimits(redis?: RedisClient): LoginLimits {
	const limiter = (keyPrefix: string, points: number) =>
		redis
			? new RateLimiterRedis({
					storeClient: redis,
					useRedisPackage: true,
					keyPrefix: `pantau:${keyPrefix}`,
					points,
					duration: WINDOW_SECONDS
				})
			: new RateLimiterMemory({ keyPrefix, points, duration: WINDOW_SECONDS });
	return {
		perAddress: limiter('login-ip', 20),
		perAccount: limiter('login-account', 5),
		perDevice: limiter('login-device', 5),
		secondStep: limiter('second-step', 5)
	};
}

export type LoginResult =
	| {
			ok: true;
			token: string;
			expiresAt: Date;
			/** `full`, or the next step of signing in (domain/second-factor.ts). */
			stage: SessionStage;
			/** An admin reset the account's factors since it last signed in fully: tell its owner. */
			factorsReset: boolean;
			/**
			 * The device cookie to keep (a new one, or the one sent, renewed), once signed in fully;
			 * null while a second step or enrolment is still owed (knowing the password alone
			 * never makes a browser "known").
			 */
			device: { token: string; expiresAt: Date } | null;
	  }
	| { ok: false; status: 400 | 429; problem: 'wrongCredentials' | 'tooMany'; minutes?: number };

function minutes(state: RateLimiterRes): number {
	return Math.max(1, Math.ceil((state.msBeforeNext ?? 60_000) / 60_000));
}

export interface LoginAttempt {
	email: string;
	password: string;
	ip: string;
	/** The device cookie the browser sent, if any. */
	device?: string | null;
	userAgent?: string | null;
}

/** Which roles need a second factor, and whether the demo's public logins may skip it. */
export interface SignInPolicy {
	requiredRoles: readonly Role[];
	/** DEMO=1: the demo accounts (`@demo.pantau.id`) sign in with their password alone. */
	demo: boolean;
}

export const DEMO_DOMAIN = '@demo.pantau.id';

/**
 * Takes one point from each counter an attempt counts against: the address, and the account's
 * strangers or this known browser (a password), or the account's codes (`codes`: a second factor).
 * Returns the refusal's minutes, or how to give the points back when the attempt holds.
 */
export async function takeAttempt(
	limits: LoginLimits,
	attempt: { ip: string; account: string; knownDevice: number | null; codes?: boolean }
): Promise<{ release: () => Promise<void> } | { minutes: number }> {
	const [limiter, key] = attempt.codes
		? [limits.secondStep, attempt.account]
		: attempt.knownDevice !== null
			? [limits.perDevice, `${attempt.knownDevice}`]
			: [limits.perAccount, attempt.account || '(empty)'];
	const taken = await Promise.allSettled([
		limits.perAddress.consume(attempt.ip),
		limiter.consume(key)
	]);
	const refused = taken.find((t): t is PromiseRejectedResult => t.status === 'rejected');
	if (refused) {
		if (!(refused.reason instanceof RateLimiterRes)) throw refused.reason;
		return { minutes: minutes(refused.reason) };
	}
	return {
		release: async () => {
			await limits.perAddress.reward(attempt.ip, 1);
			await limiter.delete(key);
		}
	};
}

export async function login(
	db: Database,
	limits: LoginLimits,
	attempt: LoginAttempt,
	policy: SignInPolicy = { requiredRoles: DEFAULT_SECOND_FACTOR_ROLES, demo: false }
): Promise<LoginResult> {
	const account = normaliseEmail(attempt.email);
	const user = await findUserByEmail(db, account);
	const known = attempt.device && user ? await knownDevice(db, attempt.device, user.id) : null;
	// A known browser is counted on its own; any other on the account. Each attempt takes its
	// point before the password is checked, atomically (in memory or in Redis), so that guesses
	// sent at once cannot all pass a check made before any was counted. A correct password gives
	// the points back.
	const taken = await takeAttempt(limits, {
		ip: attempt.ip,
		account,
		knownDevice: known?.id ?? null
	});
	if ('minutes' in taken) {
		await audit(
			db,
			{ userId: user?.id ?? null, email: account || '(empty)', ip: attempt.ip },
			{
				action: 'login.blocked',
				region: user?.scope ?? NATION_CODE,
				after: { knownDevice: known !== null }
			}
		);
		return { ok: false, status: 429, problem: 'tooMany', minutes: taken.minutes };
	}
	// Verify against a decoy when the account is unknown: the same time either way.
	const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), attempt.password);
	if (!user || !valid || user.disabledAt !== null) {
		await audit(
			db,
			{ userId: user?.id ?? null, email: account || '(empty)', ip: attempt.ip },
			{ action: 'login.failure', region: user?.scope ?? NATION_CODE }
		);
		return { ok: false, status: 400, problem: 'wrongCredentials' };
	}
	await taken.release();
	const stage = signInStage({
		role: user.role,
		hasFactor: hasFactor(await factorsOf(db, user.id)),
		trustedBrowser: (known?.secondFactorUntil?.getTime() ?? 0) > Date.now(),
		demoAccount: policy.demo && user.email.endsWith(DEMO_DOMAIN),
		requiredRoles: policy.requiredRoles
	});
	const token = generateSessionToken();
	// The session, the device cookie and the audit entry: all or nothing.
	return db.transaction(async (tx) => {
		const session = await createSession(tx, token, user.id, stage, {
			userAgent: attempt.userAgent,
			ip: attempt.ip
		});
		const device =
			stage === 'full' ? await rememberDevice(tx, user.id, known ? attempt.device! : null) : null;
		await audit(
			tx,
			{ userId: user.id, email: user.email, ip: attempt.ip },
			{
				action: 'login.success',
				region: user.scope,
				...(stage !== 'full' ? { after: { next: stage } } : {})
			}
		);
		return {
			ok: true as const,
			token,
			expiresAt: session.expiresAt,
			stage,
			device,
			factorsReset: user.factorsResetAt !== null
		};
	});
}

/** The browser's device cookie, if it is one the account signed in from before (and unexpired). */
export async function knownDevice(db: Database, token: string, userId: number) {
	const [row] = await db
		.select({ id: trustedDevices.id, secondFactorUntil: trustedDevices.secondFactorUntil })
		.from(trustedDevices)
		.where(
			and(
				eq(trustedDevices.tokenHash, hashToken(token)),
				eq(trustedDevices.userId, userId),
				gt(trustedDevices.expiresAt, new Date())
			)
		);
	return row ?? null;
}

/** Renews the browser's device cookie for the account, or issues one. */
export async function rememberDevice(db: Database, userId: number, current: string | null) {
	const expiresAt = new Date(Date.now() + DEVICE_DAYS * DAY_IN_MS);
	if (current) {
		await db
			.update(trustedDevices)
			.set({ expiresAt, lastUsedAt: new Date() })
			.where(eq(trustedDevices.tokenHash, hashToken(current)));
		return { token: current, expiresAt };
	}
	const token = generateToken('pcv');
	await db.insert(trustedDevices).values({ tokenHash: hashToken(token), userId, expiresAt });
	return { token, expiresAt };
}
