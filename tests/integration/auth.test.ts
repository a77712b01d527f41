import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/lib/server/platform/db/client';
import { validateApiToken } from '../../src/lib/server/accounts/api-tokens';
import { login, loginLimits, type LoginLimits } from '../../src/lib/server/accounts/login';
import { invalidateSession, validateSessionToken } from '../../src/lib/server/accounts/session';
import { AppError } from '../../src/lib/domain/errors';
import { CLI } from '../../src/lib/server/accounts/actor';
import {
	changeAccount,
	createAccount,
	issueApiToken,
	revokeApiTokens
} from '../../src/lib/server/accounts/account-verbs';
import { translator } from '../../src/lib/i18n';
import { hashToken } from '../../src/lib/server/platform/tokens';
import { connectRedis } from '../../src/lib/server/platform/redis';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const PASSWORD = 'rahasia-sekali-123';

describe('accounts and sessions', () => {
	let database: TestDatabase;
	const db = () => database.db;
	let limits: LoginLimits;
	// Passwords, limits and device cookies: no role needs a second factor here
	// (second-factor.test.ts tests that step).
	const attempt = (email: string, password: string, ip: string, device?: string) =>
		login(db(), limits, { email, password, ip, device }, { requiredRoles: [], demo: false });
	const auditActions = async (actor: string) =>
		(
			await rows<{ action: string }>(
				db(),
				sql`select action from audit_log where actor = ${actor} order by id`
			)
		).map((r) => r.action);

	beforeAll(async () => {
		database = await createTestDatabase();
		limits = loginLimits();
		await seed(database, { provinces: ['75'] });
		await createAccount(db(), CLI, {
			email: 'Koordinator@Example.id',
			password: PASSWORD,
			role: 'coordinator',
			scope: '7501'
		});
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('refuses a role that does not fit its scope, a missing region, a weak password, a duplicate', async () => {
		await expect(
			createAccount(db(), CLI, {
				email: 'a@x.id',
				password: PASSWORD,
				role: 'coordinator',
				scope: '75'
			})
		).rejects.toThrow(expect.objectContaining({ problem: 'coordinatorScope' }));
		await expect(
			createAccount(db(), CLI, { email: 'a@x.id', password: PASSWORD, role: 'leader', scope: '35' })
		).rejects.toThrow(
			expect.objectContaining({ problem: 'unknownRegion', values: { scope: '35' } })
		);
		await expect(
			createAccount(db(), CLI, { email: 'a@x.id', password: 'short', role: 'admin', scope: 'id' })
		).rejects.toThrow(expect.objectContaining({ problem: 'shortPassword', values: { min: 10 } }));
		await expect(
			createAccount(db(), CLI, {
				email: 'koordinator@example.id',
				password: PASSWORD,
				role: 'observer',
				scope: '75'
			})
		).rejects.toThrow(expect.objectContaining({ problem: 'accountExists', status: 409 }));
		// The same refusal, said in Bahasa Indonesia by the page.
		const refused = await createAccount(db(), CLI, {
			email: 'koordinator@example.id',
			password: PASSWORD,
			role: 'observer',
			scope: '75'
		}).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(AppError);
		const { problem, values } = refused as AppError;
		expect(translator('id')(`problem.${problem}`, values)).toBe(
			'Akun untuk koordinator@example.id sudah ada'
		);
	});

	it('logs in with the right password (email in any case) and audits it', async () => {
		const result = await attempt('KOORDINATOR@example.id', PASSWORD, '10.0.0.1');
		expect(result.ok).toBe(true);
		if (!result.ok) return;
		const { user } = await validateSessionToken(db(), result.token);
		expect(user).toMatchObject({
			email: 'koordinator@example.id',
			role: 'coordinator',
			scope: '7501'
		});
		expect(await auditActions('koordinator@example.id')).toContain('login.success');
	});

	it('a wrong password and an unknown email get the same answer', async () => {
		const wrong = await attempt('koordinator@example.id', 'salah-salah-salah', '10.0.0.2');
		const unknown = await attempt('tidak.ada@example.id', 'salah-salah-salah', '10.0.0.2');
		expect(wrong).toEqual({ ok: false, status: 400, problem: 'wrongCredentials' });
		expect(translator('id')('login.wrongCredentials')).toBe('Email atau kata sandi salah.');
		expect(unknown).toEqual(wrong);
		expect(await auditActions('tidak.ada@example.id')).toEqual(['login.failure']);
	});

	it("a stranger's failures lock the account for unknown browsers only, not for one it signed in from", async () => {
		await createAccount(db(), CLI, {
			email: 'target@example.id',
			password: PASSWORD,
			role: 'observer',
			scope: '75'
		});
		// The official signs in once from their laptop: it keeps a device cookie.
		const first = await attempt('target@example.id', PASSWORD, '10.1.0.50');
		if (!first.ok) throw new Error('login failed');
		const laptop = first.device!.token;
		expect(laptop).toMatch(/^pcv_[a-z2-7]{32}$/);
		// Someone else guesses from five addresses.
		for (let i = 0; i < 5; i++) {
			expect((await attempt('target@example.id', `wrong-${i}-xxxxxx`, `10.1.0.${i}`)).ok).toBe(
				false
			);
		}
		const stranger = await attempt('target@example.id', PASSWORD, '10.1.0.99');
		expect(stranger).toMatchObject({ ok: false, status: 429, problem: 'tooMany' });
		expect(
			translator('id')('login.tooMany', { minutes: (stranger as { minutes: number }).minutes })
		).toMatch(/^Terlalu banyak percobaan masuk. Coba lagi dalam \d+ menit.$/);
		// The laptop still gets in, and its cookie is renewed, not replaced.
		const again = await attempt('target@example.id', PASSWORD, '10.1.0.50', laptop);
		expect(again).toMatchObject({ ok: true, device: { token: laptop } });
		expect(await auditActions('target@example.id')).toContain('login.blocked');
	});

	it('guesses sent at once are counted before any password is checked: no more than the limit get through', async () => {
		await createAccount(db(), CLI, {
			email: 'serentak@example.id',
			password: PASSWORD,
			role: 'observer',
			scope: '75'
		});
		const answers = await Promise.all(
			Array.from({ length: 12 }, (_, i) =>
				attempt('serentak@example.id', `wrong-${i}-xxxxxx`, `10.3.0.${i}`)
			)
		);
		// Five are checked (and fail); the other seven are refused before any check.
		expect(answers.filter((a) => !a.ok && a.status === 400)).toHaveLength(5);
		expect(answers.filter((a) => !a.ok && a.status === 429)).toHaveLength(7);
		expect(await attempt('serentak@example.id', PASSWORD, '10.3.0.99')).toMatchObject({
			ok: false,
			status: 429
		});
	});

	it('a known browser is limited on its own, and a device cookie of another account counts for nothing', async () => {
		await createAccount(db(), CLI, {
			email: 'kedua@example.id',
			password: PASSWORD,
			role: 'observer',
			scope: '75'
		});
		const first = await attempt('kedua@example.id', PASSWORD, '10.2.0.1');
		if (!first.ok) throw new Error('login failed');
		for (let i = 0; i < 5; i++)
			await attempt('kedua@example.id', `wrong-${i}-xxxxxx`, '10.2.0.1', first.device!.token);
		expect(
			await attempt('kedua@example.id', PASSWORD, '10.2.0.1', first.device!.token)
		).toMatchObject({ ok: false, status: 429 });
		// That cookie means nothing for another account: it gets a new one.
		const other = await attempt(
			'koordinator@example.id',
			PASSWORD,
			'10.2.0.2',
			first.device!.token
		);
		expect(other.ok && other.device!.token !== first.device!.token).toBe(true);
	});

	it('stores sessions hashed; logout and disabling end them server-side', async () => {
		const first = await attempt('koordinator@example.id', PASSWORD, '10.0.0.3');
		if (!first.ok) throw new Error('login failed');
		const stored = await rows<{ id: string }>(db(), sql`select id from sessions`);
		expect(stored.map((s) => s.id)).toContain(hashToken(first.token));
		expect(stored.map((s) => s.id)).not.toContain(first.token);
		const { session } = await validateSessionToken(db(), first.token);
		await invalidateSession(db(), session!.id);
		expect((await validateSessionToken(db(), first.token)).user).toBeNull();

		const second = await attempt('koordinator@example.id', PASSWORD, '10.0.0.3');
		if (!second.ok) throw new Error('login failed');
		await changeAccount(db(), CLI, 'koordinator@example.id', { disabled: true });
		expect((await validateSessionToken(db(), second.token)).user).toBeNull();
		expect((await attempt('koordinator@example.id', PASSWORD, '10.0.0.4')).ok).toBe(false);
		await changeAccount(db(), CLI, 'koordinator@example.id', { disabled: false });
	});

	it('API tokens carry the account scope, are read-only and revocable', async () => {
		const { token } = await issueApiToken(db(), CLI, 'koordinator@example.id', 'bawaslu-sistem');
		expect(await validateApiToken(db(), token)).toMatchObject({
			scope: '7501',
			role: 'coordinator',
			readOnly: true
		});
		await revokeApiTokens(db(), CLI, 'koordinator@example.id');
		expect(await validateApiToken(db(), token)).toBeNull();
	});

	it('the audit log records changes with before and after, and cannot be edited', async () => {
		await changeAccount(db(), { ...CLI, email: 'admin@example.id' }, 'target@example.id', {
			role: 'observer',
			scope: '7502'
		});
		const [entry] = await rows<{ before: { scope: string }; after: { scope: string } }>(
			db(),
			sql`select before, after from audit_log where action = 'user.update' and subject = 'target@example.id'`
		);
		expect(entry.before.scope).toBe('75');
		expect(entry.after.scope).toBe('7502');
		await expect(db().execute(sql`update audit_log set actor = 'someone else'`)).rejects.toThrow();
		await expect(db().execute(sql`delete from audit_log`)).rejects.toThrow();
	});
});

describe('login limits with REDIS_URL', () => {
	it('are shared: failures counted by one process refuse the next try in another', async () => {
		const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
		const [a, b] = await Promise.all([connectRedis(url), connectRedis(url)]);
		try {
			const [one, two] = [loginLimits(a), loginLimits(b)];
			const account = `shared-${randomUUID()}@example.id`;
			for (let i = 0; i < 5; i++) await one.perAccount.penalty(account, 1);
			expect((await two.perAccount.get(account))?.remainingPoints).toBe(0);
			// A success through the second clears it for the first too.
			await two.perAccount.delete(account);
			expect(await one.perAccount.get(account)).toBeNull();
		} finally {
			await Promise.all([a.close(), b.close()]);
		}
	});
});
