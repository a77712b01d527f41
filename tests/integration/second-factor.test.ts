/**
 * Second factors, sessions and re-authentication against a real database: which step a correct
 * password leads to, an authenticator app enrolled and used once per code, recovery codes used
 * once, wrong codes counted with wrong passwords, a trusted browser, an admin's reset, sessions
 * listed and ended, re-authentication, API tokens that end, weak passwords refused.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { rows } from '../../src/lib/server/platform/db/client';
import { CLI, type Actor } from '../../src/lib/server/accounts/actor';
import {
	changeOwnPassword,
	createAccount,
	issueApiToken,
	revokeApiToken
} from '../../src/lib/server/accounts/account-verbs';
import { checkApiToken, listApiTokens } from '../../src/lib/server/accounts/api-tokens';
import {
	confirmTotp,
	factorsOf,
	removeTotp,
	resetFactors,
	startTotp
} from '../../src/lib/server/accounts/factors';
import { login, loginLimits, type LoginLimits } from '../../src/lib/server/accounts/login';
import {
	proveSecondFactor,
	reauthenticate,
	requireRecentProof
} from '../../src/lib/server/accounts/second-step';
import { listSessions, validateSessionToken } from '../../src/lib/server/accounts/session';
import { endOwnSessions } from '../../src/lib/server/accounts/session-verbs';
import { findUserByEmail } from '../../src/lib/server/accounts/users';
import {
	DEFAULT_SECOND_FACTOR_ROLES,
	totpCode,
	totpStep
} from '../../src/lib/domain/second-factor';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const PASSWORD = 'rahasia-sekali-123';
const POLICY = { requiredRoles: DEFAULT_SECOND_FACTOR_ROLES, demo: false };

describe('second factors', () => {
	let database: TestDatabase;
	const db = () => database.db;
	let limits: LoginLimits;
	let address = 0;
	/** A fresh address per attempt group, so the per-address limit stays out of the way. */
	const ip = () => `10.9.0.${++address}`;

	const signIn = async (email: string, device?: string) => {
		const result = await login(
			db(),
			limits,
			{
				email,
				password: PASSWORD,
				ip: ip(),
				device,
				userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0 Safari/537.36'
			},
			POLICY
		);
		if (!result.ok) throw new Error(`login refused: ${result.problem}`);
		const { session, user } = await validateSessionToken(db(), result.token);
		return { ...result, session: session!, user: user! };
	};
	const actorFor = async (email: string): Promise<Actor> => {
		const user = (await findUserByEmail(db(), email))!;
		return {
			userId: user.id,
			email: user.email,
			role: user.role,
			scope: user.scope,
			ip: '10.9.9.9'
		};
	};
	const actions = async (email: string) =>
		(
			await rows<{ action: string }>(
				db(),
				sql`select action from audit_log where actor = ${email} order by id`
			)
		).map((r) => r.action);

	beforeAll(async () => {
		database = await createTestDatabase();
		limits = loginLimits();
		await seed(database, { provinces: ['75'] });
		for (const [email, role, scope] of [
			['koordinator@uji.id', 'coordinator', '7501'],
			['bawaslu@uji.id', 'observer', '75'],
			['admin@uji.id', 'admin', 'id'],
			['pindah@uji.id', 'coordinator', '7502']
		])
			await createAccount(db(), CLI, { email, password: PASSWORD, role, scope });
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('a correct password leads to enrolment for a required role, straight in for others', async () => {
		expect((await signIn('koordinator@uji.id')).stage).toBe('enrol');
		expect((await signIn('admin@uji.id')).stage).toBe('enrol');
		expect((await signIn('bawaslu@uji.id')).stage).toBe('full');
		// The pending session cannot be mistaken for a signed-in one, and ends in 15 minutes.
		const pending = await signIn('koordinator@uji.id');
		expect(pending.session.stage).toBe('enrol');
		expect(pending.expiresAt.getTime() - Date.now()).toBeLessThanOrEqual(15 * 60_000);
		// No role required: in with the password.
		const none = await login(
			db(),
			limits,
			{ email: 'koordinator@uji.id', password: PASSWORD, ip: ip() },
			{ requiredRoles: [], demo: false }
		);
		expect(none.ok && none.stage).toBe('full');
	});

	let secret: Uint8Array;
	let recovery: string[];

	it('enrols an authenticator app with a first code; recovery codes are made once, stored hashed', async () => {
		const actor = await actorFor('koordinator@uji.id');
		const other = await signIn('koordinator@uji.id');
		const mine = await signIn('koordinator@uji.id');
		const started = await startTotp(db(), actor);
		expect(started.uri).toMatch(
			/^otpauth:\/\/totp\/Pantau%20Coklit%3Akoordinator%40uji\.id\?secret=/
		);
		secret = decodeBase32IgnorePadding(started.secret);
		await expect(confirmTotp(db(), actor, '000000', mine.session.id)).rejects.toThrow(
			expect.objectContaining({ problem: 'totpWrong' })
		);
		const done = await confirmTotp(
			db(),
			actor,
			totpCode(secret, totpStep(Date.now())),
			mine.session.id
		);
		recovery = done.recoveryCodes!;
		expect(recovery).toHaveLength(10);
		expect(new Set(recovery).size).toBe(10);
		// Only hashes are kept.
		const stored = await rows<{ code_hash: string }>(
			db(),
			sql`select code_hash from recovery_codes`
		);
		expect(stored).toHaveLength(10);
		for (const code of recovery)
			expect(JSON.stringify(stored)).not.toContain(code.replace('-', ''));
		// The other session ended, this one kept.
		expect(done.endedSessions).toContain(other.session.id);
		expect(done.endedSessions).not.toContain(mine.session.id);
		expect((await validateSessionToken(db(), other.token)).session).toBeNull();
		expect((await validateSessionToken(db(), mine.token)).session).not.toBeNull();
		// A second app cannot replace the first without removing it.
		await expect(startTotp(db(), actor)).rejects.toThrow(
			expect.objectContaining({ problem: 'totpExists' })
		);
		// The last factor of a required role stays.
		await expect(removeTotp(db(), actor, mine.session.id, true)).rejects.toThrow(
			expect.objectContaining({ problem: 'lastFactor' })
		);
		expect(await actions('koordinator@uji.id')).toContain('factor.totp_add');
	});

	it('then asks for the code: a wrong code is refused, the right one once, a replay refused', async () => {
		const first = await signIn('koordinator@uji.id');
		expect(first.stage).toBe('second_factor');
		const context = (s: typeof first) => ({
			sessionId: s.session.id,
			userId: s.user.id,
			ip: ip(),
			userAgent: 'test'
		});
		const wrong = await proveSecondFactor(
			db(),
			limits,
			context(first),
			{ kind: 'totp', code: '123456' },
			false
		);
		expect(wrong).toMatchObject({ ok: false, problem: 'codeWrong' });
		// Let the clock reach a step no earlier test used.
		const step = totpStep(Date.now());
		const code = totpCode(secret, step + 1);
		const passed = await proveSecondFactor(
			db(),
			limits,
			context(first),
			{ kind: 'totp', code },
			false
		);
		expect(passed.ok).toBe(true);
		if (!passed.ok) return;
		// A new token for the full session; the pending one is gone.
		expect(passed.token).not.toBe(first.token);
		expect((await validateSessionToken(db(), first.token)).session).toBeNull();
		expect((await validateSessionToken(db(), passed.token)).session?.stage).toBe('full');
		// The same code again, in another sign-in: refused as used.
		const second = await signIn('koordinator@uji.id');
		const replay = await proveSecondFactor(
			db(),
			limits,
			context(second),
			{ kind: 'totp', code },
			false
		);
		expect(replay).toMatchObject({ ok: false, problem: 'codeReplayed' });
		// An older code (before the one used) is refused too.
		const older = await proveSecondFactor(
			db(),
			limits,
			context(second),
			{ kind: 'totp', code: totpCode(secret, step) },
			false
		);
		expect(older.ok).toBe(false);
		const audit = await actions('koordinator@uji.id');
		expect(audit).toContain('login.second_factor.failure');
		expect(audit).toContain('login.second_factor');
	});

	it('a recovery code works once, in any case and spacing', async () => {
		const s = await signIn('koordinator@uji.id');
		const context = { sessionId: s.session.id, userId: s.user.id, ip: ip() };
		const typed = ` ${recovery[0].toUpperCase().replace('-', ' ')} `;
		expect(
			(await proveSecondFactor(db(), limits, context, { kind: 'recovery', code: typed }, false)).ok
		).toBe(true);
		const again = await signIn('koordinator@uji.id');
		const reused = await proveSecondFactor(
			db(),
			limits,
			{ sessionId: again.session.id, userId: again.user.id, ip: ip() },
			{ kind: 'recovery', code: recovery[0] },
			false
		);
		expect(reused).toMatchObject({ ok: false, problem: 'codeWrong' });
		expect((await factorsOf(db(), s.user.id)).recoveryLeft).toBe(9);
	});

	it('wrong codes are limited per account: the sixth is held back, and the password resets nothing', async () => {
		// Earlier tests' wrong codes aside.
		await limits.secondStep.delete('koordinator@uji.id');
		const s = await signIn('koordinator@uji.id');
		const context = { sessionId: s.session.id, userId: s.user.id, ip: ip() };
		const outcomes = [];
		for (let i = 0; i < 6; i++)
			outcomes.push(
				await proveSecondFactor(
					db(),
					limits,
					{ ...context, ip: ip() },
					{ kind: 'totp', code: '000001' },
					false
				)
			);
		expect(outcomes.slice(0, 5).every((o) => !o.ok && o.problem === 'codeWrong')).toBe(true);
		expect(outcomes[5]).toMatchObject({ ok: false, problem: 'tooMany' });
		expect(await actions('koordinator@uji.id')).toContain('login.second_factor.blocked');
		// The right password again (which clears the password counters) buys no more guesses.
		const again = await signIn('koordinator@uji.id');
		expect(
			await proveSecondFactor(
				db(),
				limits,
				{ sessionId: again.session.id, userId: again.user.id, ip: ip() },
				{ kind: 'totp', code: '000002' },
				false
			)
		).toMatchObject({ ok: false, problem: 'tooMany' });
		await limits.secondStep.delete('koordinator@uji.id');
	});

	it('a browser trusted for 30 days skips the second step; another does not', async () => {
		const s = await signIn('koordinator@uji.id');
		// The password alone makes no browser known.
		expect(s.device).toBeNull();
		const proved = await proveSecondFactor(
			db(),
			limits,
			{ sessionId: s.session.id, userId: s.user.id, ip: ip() },
			{ kind: 'recovery', code: recovery[1] },
			true
		);
		if (!proved.ok) throw new Error(proved.problem);
		expect((await signIn('koordinator@uji.id', proved.device.token)).stage).toBe('full');
		expect((await signIn('koordinator@uji.id')).stage).toBe('second_factor');
		const [trust] = await rows<{ days: number }>(
			db(),
			sql`select round(extract(epoch from second_factor_until - now()) / 86400)::int as days
				from trusted_devices where second_factor_until is not null`
		);
		expect(trust.days).toBe(30);
	});

	it('lists the owner’s sessions and ends one, or all others', async () => {
		const a = await signIn('bawaslu@uji.id');
		const b = await signIn('bawaslu@uji.id');
		const c = await signIn('bawaslu@uji.id');
		const listed = await listSessions(db(), a.user.id);
		expect(listed.map((s) => s.id)).toEqual(
			expect.arrayContaining([a.session.id, b.session.id, c.session.id])
		);
		expect(listed[0].userAgent).toContain('Chrome/131');
		const actor = await actorFor('bawaslu@uji.id');
		expect(await endOwnSessions(db(), actor, a.session.id, b.session.id)).toEqual([b.session.id]);
		// Another account's session cannot be ended from here.
		const stranger = await signIn('pindah@uji.id');
		expect(await endOwnSessions(db(), actor, a.session.id, stranger.session.id)).toEqual([]);
		expect((await validateSessionToken(db(), stranger.token)).session).not.toBeNull();
		const others = await endOwnSessions(db(), actor, a.session.id, 'others');
		expect(others).toContain(c.session.id);
		expect(others).not.toContain(a.session.id);
		expect((await validateSessionToken(db(), a.token)).session).not.toBeNull();
		expect(await actions('bawaslu@uji.id')).toEqual(
			expect.arrayContaining(['session.end', 'session.end_others'])
		);
	});

	it('re-authentication: required after ten minutes, renewed by the password', async () => {
		const s = await signIn('bawaslu@uji.id');
		expect(() => requireRecentProof(s.session)).not.toThrow();
		expect(() =>
			requireRecentProof(s.session, new Date(s.session.provenAt.getTime() + 10 * 60_000 + 1))
		).toThrow(expect.objectContaining({ problem: 'reauthRequired', status: 401 }));
		await rows(
			db(),
			sql`update sessions set proven_at = now() - interval '11 minutes' where id = ${s.session.id}`
		);
		const stale = (await validateSessionToken(db(), s.token)).session!;
		expect(() => requireRecentProof(stale)).toThrow(
			expect.objectContaining({ problem: 'reauthRequired' })
		);
		const context = { sessionId: s.session.id, userId: s.user.id, ip: ip() };
		expect(
			await reauthenticate(db(), limits, context, {
				kind: 'password',
				password: 'salah-sekali-999'
			})
		).toMatchObject({ ok: false, problem: 'codeWrong' });
		expect(
			(await reauthenticate(db(), limits, context, { kind: 'password', password: PASSWORD })).ok
		).toBe(true);
		const renewed = (await validateSessionToken(db(), s.token)).session!;
		expect(() => requireRecentProof(renewed)).not.toThrow();
		expect(await actions('bawaslu@uji.id')).toEqual(
			expect.arrayContaining(['reauth.failure', 'reauth'])
		);
	});

	it('an admin resets a lost factor: everything removed, sessions ended, told at next sign-in', async () => {
		const s = await signIn('koordinator@uji.id');
		const admin = await actorFor('admin@uji.id');
		const { endedSessions } = await resetFactors(db(), admin, 'koordinator@uji.id');
		expect(endedSessions).toContain(s.session.id);
		const f = await factorsOf(db(), s.user.id);
		expect(f).toEqual({ totp: false, passkeys: [], recoveryLeft: 0 });
		expect((await signIn('koordinator@uji.id')).stage).toBe('enrol');
		// No browser keeps the trust it had before the reset.
		const [trusted] = await rows<{ n: number }>(
			db(),
			sql`select count(*)::int as n from trusted_devices where second_factor_until is not null`
		);
		expect(trusted.n).toBe(0);
		const [user] = await rows<{ factors_reset_at: Date | null }>(
			db(),
			sql`select factors_reset_at from users where email = 'koordinator@uji.id'`
		);
		expect(user.factors_reset_at).not.toBeNull();
		const [entry] = await rows<{ before: unknown; after: unknown }>(
			db(),
			sql`select before, after from audit_log where action = 'factor.reset'`
		);
		expect(entry.before).toEqual({ app: true, passkeys: 0, recoveryLeft: 8 });
		// A coordinator cannot reset an admin.
		await expect(
			resetFactors(db(), await actorFor('pindah@uji.id'), 'admin@uji.id')
		).rejects.toThrow();
	});

	it('API tokens end: expired, revoked and unknown tokens are refused with their reason', async () => {
		const owner = await actorFor('bawaslu@uji.id');
		const { token, expiresAt } = await issueApiToken(db(), owner, 'bawaslu@uji.id', 'rekap', 30);
		expect(Math.round((expiresAt.getTime() - Date.now()) / 86_400_000)).toBe(30);
		expect((await checkApiToken(db(), token)).ok).toBe(true);
		await expect(issueApiToken(db(), owner, 'bawaslu@uji.id', 'x', 400)).rejects.toThrow(
			expect.objectContaining({ problem: 'badTokenTerm' })
		);
		// An observer cannot issue one for someone else.
		await expect(issueApiToken(db(), owner, 'pindah@uji.id', 'x')).rejects.toThrow(
			expect.objectContaining({ problem: 'accountForbidden' })
		);
		const [listed] = await listApiTokens(db(), [owner.userId!]);
		expect(listed).toMatchObject({ label: 'rekap', access: 'read', revokedAt: null });
		expect(listed.lastUsedAt).not.toBeNull();
		await rows(
			db(),
			sql`update api_tokens set expires_at = now() - interval '1 second' where id = ${listed.id}`
		);
		expect(await checkApiToken(db(), token)).toEqual({ ok: false, reason: 'expired' });
		const second = await issueApiToken(db(), owner, 'bawaslu@uji.id', 'kedua');
		const [row] = await listApiTokens(db(), [owner.userId!]);
		// An admin revokes it; the owner could too.
		await revokeApiToken(db(), await actorFor('admin@uji.id'), row.id);
		expect(await checkApiToken(db(), second.token)).toEqual({ ok: false, reason: 'revoked' });
		expect(await checkApiToken(db(), 'pca_tidakada')).toEqual({ ok: false, reason: 'unknown' });
		// Someone who neither owns nor manages it cannot.
		await expect(revokeApiToken(db(), await actorFor('pindah@uji.id'), row.id)).rejects.toThrow(
			expect.objectContaining({ problem: 'noApiToken' })
		);
	});

	it('refuses a common, breached or personal password, in the page’s language', async () => {
		for (const password of ['password1234', 'indonesia2024', 'jakarta123456', 'budi.santoso1'])
			await expect(
				createAccount(db(), CLI, {
					email: 'budi.santoso@uji.id',
					name: 'Budi Santoso',
					password,
					role: 'observer',
					scope: '75'
				})
			).rejects.toThrow(expect.objectContaining({ problem: 'weakPassword' }));
		await createAccount(db(), CLI, {
			email: 'budi.santoso@uji.id',
			password: 'kopi tubruk di teras jam lima',
			role: 'observer',
			scope: '75'
		});
	});

	it('the owner changes their own password: the current one first, a strong new one, other sessions end', async () => {
		const keep = await signIn('pindah@uji.id');
		const other = await signIn('pindah@uji.id');
		const actor = await actorFor('pindah@uji.id');
		await expect(
			changeOwnPassword(
				db(),
				actor,
				'salah-salah-salah',
				'kopi susu di pagi yang cerah',
				keep.session.id
			)
		).rejects.toThrow(expect.objectContaining({ problem: 'wrongPassword' }));
		await expect(
			changeOwnPassword(db(), actor, PASSWORD, 'password12345', keep.session.id)
		).rejects.toThrow(expect.objectContaining({ problem: 'weakPassword' }));
		const ended = await changeOwnPassword(
			db(),
			actor,
			PASSWORD,
			'kopi susu di pagi yang cerah',
			keep.session.id
		);
		expect(ended).toContain(other.session.id);
		expect((await validateSessionToken(db(), keep.token)).session).not.toBeNull();
		expect((await validateSessionToken(db(), other.token)).session).toBeNull();
		expect(await actions('pindah@uji.id')).toContain('user.change_password');
	});

	it('the second factor is no business of the command line', async () => {
		await expect(startTotp(db(), CLI)).rejects.toThrow(
			expect.objectContaining({ problem: 'factorsOwnOnly' })
		);
	});
});
