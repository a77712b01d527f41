import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rows } from '../../src/lib/server/db/client';
import {
	issueApiToken,
	revokeApiTokens,
	validateApiToken
} from '../../src/lib/server/auth/api-tokens';
import { login, WRONG_CREDENTIALS } from '../../src/lib/server/auth/login';
import { invalidateSession, validateSessionToken } from '../../src/lib/server/auth/session';
import { createUser, updateUser, UserError } from '../../src/lib/server/auth/users';
import { translator } from '../../src/lib/i18n';
import { hashToken } from '../../src/lib/server/auth/tokens';
import { seed } from '../../src/lib/server/seed';
import { createTestDatabase, engines, type TestDatabase } from '../fixtures/database';

const CLI = { userId: null, actor: 'test' };
const PASSWORD = 'rahasia-sekali-123';

describe.each(engines)('accounts and sessions on %s', (engine) => {
	let database: TestDatabase;
	const db = () => database.db;
	const auditActions = async (actor: string) =>
		(
			await rows<{ action: string }>(
				db(),
				sql`select action from audit_log where actor = ${actor} order by id`
			)
		).map((r) => r.action);

	beforeAll(async () => {
		database = await createTestDatabase(engine);
		await seed(database, { provinces: ['75'] });
		await createUser(
			db(),
			{ email: 'Koordinator@Example.id', password: PASSWORD, role: 'coordinator', scope: '7501' },
			CLI
		);
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('refuses a role that does not fit its scope, a missing region, a weak password, a duplicate', async () => {
		await expect(
			createUser(
				db(),
				{ email: 'a@x.id', password: PASSWORD, role: 'coordinator', scope: '75' },
				CLI
			)
		).rejects.toThrow(/regency code/);
		await expect(
			createUser(db(), { email: 'a@x.id', password: PASSWORD, role: 'leader', scope: '35' }, CLI)
		).rejects.toThrow(/region 35 does not exist/);
		await expect(
			createUser(db(), { email: 'a@x.id', password: 'short', role: 'admin', scope: 'id' }, CLI)
		).rejects.toThrow(/at least 10 characters/);
		await expect(
			createUser(
				db(),
				{ email: 'koordinator@example.id', password: PASSWORD, role: 'observer', scope: '75' },
				CLI
			)
		).rejects.toThrow(/already exists/);
		// The same refusal, said in Bahasa Indonesia by the page.
		const refused = await createUser(
			db(),
			{ email: 'koordinator@example.id', password: PASSWORD, role: 'observer', scope: '75' },
			CLI
		).catch((error: unknown) => error);
		expect(refused).toBeInstanceOf(UserError);
		const { problem, values } = refused as UserError;
		expect(translator('id')(`accountError.${problem}`, values)).toBe(
			'akun untuk koordinator@example.id sudah ada'
		);
	});

	it('logs in with the right password (email in any case) and audits it', async () => {
		const result = await login(db(), 'KOORDINATOR@example.id', PASSWORD, '10.0.0.1');
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
		const wrong = await login(db(), 'koordinator@example.id', 'salah-salah-salah', '10.0.0.2');
		const unknown = await login(db(), 'tidak.ada@example.id', 'salah-salah-salah', '10.0.0.2');
		expect(wrong).toEqual({ ok: false, status: 400, message: WRONG_CREDENTIALS });
		expect(unknown).toEqual(wrong);
		expect(await auditActions('tidak.ada@example.id')).toEqual(['login.failure']);
	});

	it('limits failures per account: the sixth try is refused even with the right password', async () => {
		await createUser(
			db(),
			{ email: 'target@example.id', password: PASSWORD, role: 'observer', scope: '75' },
			CLI
		);
		for (let i = 0; i < 5; i++) {
			expect((await login(db(), 'target@example.id', `wrong-${i}-xxxxxx`, `10.1.0.${i}`)).ok).toBe(
				false
			);
		}
		const blocked = await login(db(), 'target@example.id', PASSWORD, '10.1.0.99');
		expect(blocked).toMatchObject({ ok: false, status: 429 });
		expect((blocked as { message: string }).message).toMatch(
			/Terlalu banyak percobaan masuk. Coba lagi dalam \d+ menit/
		);
	});

	it('stores sessions hashed; logout and disabling end them server-side', async () => {
		const first = await login(db(), 'koordinator@example.id', PASSWORD, '10.0.0.3');
		if (!first.ok) throw new Error('login failed');
		const stored = await rows<{ id: string }>(db(), sql`select id from sessions`);
		expect(stored.map((s) => s.id)).toContain(hashToken(first.token));
		expect(stored.map((s) => s.id)).not.toContain(first.token);
		const { session } = await validateSessionToken(db(), first.token);
		await invalidateSession(db(), session!.id);
		expect((await validateSessionToken(db(), first.token)).user).toBeNull();

		const second = await login(db(), 'koordinator@example.id', PASSWORD, '10.0.0.3');
		if (!second.ok) throw new Error('login failed');
		await updateUser(db(), 'koordinator@example.id', { disabled: true }, CLI);
		expect((await validateSessionToken(db(), second.token)).user).toBeNull();
		expect((await login(db(), 'koordinator@example.id', PASSWORD, '10.0.0.4')).ok).toBe(false);
		await updateUser(db(), 'koordinator@example.id', { disabled: false }, CLI);
	});

	it('API tokens carry the account scope, are read-only and revocable', async () => {
		const [user] = await rows<{ id: number }>(
			db(),
			sql`select id from users where email = 'koordinator@example.id'`
		);
		const token = await issueApiToken(db(), user.id, 'bawaslu-sistem', CLI);
		expect(await validateApiToken(db(), token)).toMatchObject({
			scope: '7501',
			role: 'coordinator',
			readOnly: true
		});
		await revokeApiTokens(db(), user.id, CLI);
		expect(await validateApiToken(db(), token)).toBeNull();
	});

	it('the audit log records changes with before and after, and cannot be edited', async () => {
		await updateUser(
			db(),
			'target@example.id',
			{ role: 'observer', scope: '7502' },
			{ userId: null, actor: 'admin@example.id' }
		);
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
