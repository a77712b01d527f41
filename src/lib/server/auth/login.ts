/**
 * Login: a wrong password and an unknown email get the same answer after the same work, and
 * failures are limited per account and per address. Every attempt is audited.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { Database } from '../db/client';
import { audit } from './audit';
import { decoyHash, verifyPassword } from './password';
import { createSession, generateSessionToken } from './session';
import { findUserByEmail, normaliseEmail } from './users';

const perAccount = new RateLimiterMemory({
	keyPrefix: 'login-account',
	points: 5,
	duration: 15 * 60
});
const perAddress = new RateLimiterMemory({ keyPrefix: 'login-ip', points: 20, duration: 15 * 60 });

export type LoginResult =
	{ ok: true; token: string; expiresAt: Date } | { ok: false; status: 400 | 429; message: string };

export const WRONG_CREDENTIALS = 'Email atau kata sandi salah.';

function minutes(error: unknown): number {
	return Math.max(1, Math.ceil(((error as RateLimiterRes).msBeforeNext ?? 60_000) / 60_000));
}

export async function login(
	db: Database,
	email: string,
	password: string,
	ip: string
): Promise<LoginResult> {
	const account = normaliseEmail(email);
	const states = await Promise.all([perAccount.get(account), perAddress.get(ip)]);
	const blocked = states.find((state) => state !== null && state.remainingPoints <= 0);
	if (blocked) {
		await audit(db, { actor: account || '(empty)', action: 'login.blocked', ip });
		return {
			ok: false,
			status: 429,
			message: `Terlalu banyak percobaan masuk. Coba lagi dalam ${minutes(blocked)} menit.`
		};
	}
	const user = await findUserByEmail(db, account);
	// Verify against a decoy when the account is unknown: the same time either way.
	const valid = await verifyPassword(user?.passwordHash ?? (await decoyHash()), password);
	if (!user || !valid || user.disabledAt !== null) {
		await Promise.all([perAccount.penalty(account, 1), perAddress.penalty(ip, 1)]);
		await audit(db, {
			userId: user?.id ?? null,
			actor: account || '(empty)',
			action: 'login.failure',
			ip
		});
		return { ok: false, status: 400, message: WRONG_CREDENTIALS };
	}
	await perAccount.delete(account);
	const token = generateSessionToken();
	const session = await createSession(db, token, user.id);
	await audit(db, { userId: user.id, actor: user.email, action: 'login.success', ip });
	return { ok: true, token, expiresAt: session.expiresAt };
}
