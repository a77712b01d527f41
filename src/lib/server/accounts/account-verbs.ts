/**
 * Account changes: create, change role or scope, disable or enable, reset a password, issue or
 * revoke read-only API tokens. Each checks the actor's rights first (roles.ts canManageUser:
 * admins everyone, a leader the coordinators and observers of their province, nobody their own
 * account), runs in one transaction and writes its audit entry in it. A disabled account, a new
 * password or a new role or scope ends the account's sessions in that same transaction.
 */
import { commonRegion } from '../../domain/codes';
import { and, eq, isNull } from 'drizzle-orm';
import { AppError, ensure } from '../../domain/errors';
import { canManageUser, canManageUsers, type Role } from '../../domain/roles';
import { audit } from '../audit/record';
import { hashPassword, verifyPassword } from './password';
import { endSessionsBut, untrustBrowsers } from './session';
import { generateToken, hashToken } from '../platform/tokens';
import {
	checkEmail,
	checkPassword,
	checkRoleAndScope,
	normaliseEmail,
	publicFields
} from './users';
import { API_TOKEN_DEFAULT_DAYS, API_TOKEN_MAX_DAYS, API_TOKEN_PREFIX } from './api-tokens';
import type { Database } from '../platform/db/client';
import { apiTokens, appNow, users, type User } from '../platform/db/schema';
import type { Actor } from './actor';

export interface NewAccount {
	email: string;
	name?: string;
	password: string;
	role: string;
	scope: string;
}

export async function createAccount(db: Database, actor: Actor, input: NewAccount): Promise<User> {
	ensure(canManageUsers(actor), 'usersForbidden');
	const email = normaliseEmail(input.email);
	const scope = input.scope.trim();
	checkEmail(email);
	checkPassword(input.password, { email, name: input.name });
	const role = await checkRoleAndScope(db, input.role, scope);
	ensure(canManageUser(actor, { role, scope }), 'roleForbidden');
	const passwordHash = await hashPassword(input.password);
	return db.transaction(async (tx) => {
		const [existing] = await tx.select({ id: users.id }).from(users).where(eq(users.email, email));
		if (existing) throw new AppError('accountExists', { email });
		const [user] = await tx
			.insert(users)
			.values({ email, name: input.name?.trim() || email, passwordHash, role, scope })
			.returning();
		await audit(tx, actor, {
			action: 'user.create',
			subject: email,
			region: user.scope,
			after: publicFields(user)
		});
		return user;
	});
}

export interface AccountChange {
	role?: string;
	scope?: string;
	name?: string;
	password?: string;
	disabled?: boolean;
}

export async function changeAccount(
	db: Database,
	actor: Actor,
	email: string,
	change: AccountChange
): Promise<User & { endedSessions: string[] }> {
	ensure(canManageUsers(actor), 'usersForbidden');
	const address = normaliseEmail(email);
	if (change.password !== undefined)
		checkPassword(change.password, { email: address, name: change.name });
	const passwordHash =
		change.password !== undefined ? await hashPassword(change.password) : undefined;
	return db.transaction(async (tx) => {
		const [before] = await tx.select().from(users).where(eq(users.email, address)).for('update');
		if (!before) throw new AppError('noAccount', { email: address });
		ensure(canManageUser(actor, before) && before.id !== actor.userId, 'accountForbidden', {
			email: address
		});
		let role: Role = before.role;
		const scope = change.scope?.trim() ?? before.scope;
		if (change.role !== undefined || change.scope !== undefined) {
			role = await checkRoleAndScope(tx, change.role ?? before.role, scope);
			ensure(canManageUser(actor, { role, scope }), 'roleForbidden');
		}
		const [after] = await tx
			.update(users)
			.set({
				role,
				scope,
				name: change.name?.trim() || before.name,
				...(passwordHash ? { passwordHash } : {}),
				...(change.disabled !== undefined
					? { disabledAt: change.disabled ? new Date() : null }
					: {})
			})
			.where(eq(users.id, before.id))
			.returning();
		// A disabled account, a new password or a narrower scope ends every open session at once
		// (and a new password makes every browser prove a factor again).
		const endedSessions =
			change.disabled || passwordHash || role !== before.role || scope !== before.scope
				? await endSessionsBut(tx, before.id, null)
				: [];
		if (passwordHash) await untrustBrowsers(tx, before.id);
		const action =
			change.disabled === true
				? 'user.disable'
				: change.disabled === false
					? 'user.enable'
					: passwordHash
						? 'user.reset_password'
						: 'user.update';
		await audit(tx, actor, {
			action,
			subject: after.email,
			region: commonRegion([before.scope, after.scope]),
			before: publicFields(before),
			after: publicFields(after)
		});
		return Object.assign(after, { endedSessions });
	});
}

/**
 * A read-only API token for the actor's own account or one they manage, ending after `days`
 * (90 unless said, at most 365); returns it (shown once).
 */
export async function issueApiToken(
	db: Database,
	actor: Actor,
	email: string,
	label: string,
	days: number = API_TOKEN_DEFAULT_DAYS
): Promise<{ token: string; user: User; expiresAt: Date }> {
	ensure(!actor.readOnly, 'readOnly');
	if (!Number.isInteger(days) || days < 1 || days > API_TOKEN_MAX_DAYS)
		throw new AppError('badTokenTerm', { max: API_TOKEN_MAX_DAYS });
	const token = generateToken(API_TOKEN_PREFIX);
	const expiresAt = new Date(Date.now() + days * 86_400_000);
	return db.transaction(async (tx) => {
		const [user] = await tx
			.select()
			.from(users)
			.where(eq(users.email, normaliseEmail(email)));
		if (!user) throw new AppError('noAccount', { email: normaliseEmail(email) });
		ensure(user.id === actor.userId || canManageUser(actor, user), 'accountForbidden', {
			email: user.email
		});
		const [row] = await tx
			.insert(apiTokens)
			.values({ userId: user.id, tokenHash: hashToken(token), label, expiresAt })
			.returning({ id: apiTokens.id });
		await audit(tx, actor, {
			action: 'apitoken.issue',
			subject: `api token ${row.id}`,
			region: user.scope,
			after: { user: user.email, label, days, access: 'read' }
		});
		return { token, user, expiresAt };
	});
}

/** Revokes one API token of the actor's own account or of one they manage. */
export async function revokeApiToken(db: Database, actor: Actor, id: number): Promise<void> {
	ensure(!actor.readOnly, 'readOnly');
	await db.transaction(async (tx) => {
		const [row] = await tx
			.select({
				id: apiTokens.id,
				label: apiTokens.label,
				revokedAt: apiTokens.revokedAt,
				user: users
			})
			.from(apiTokens)
			.innerJoin(users, eq(apiTokens.userId, users.id))
			.where(eq(apiTokens.id, id))
			.for('update', { of: apiTokens });
		if (!row || !(row.user.id === actor.userId || canManageUser(actor, row.user)))
			throw new AppError('noApiToken');
		if (row.revokedAt) return;
		await tx.update(apiTokens).set({ revokedAt: appNow }).where(eq(apiTokens.id, id));
		await audit(tx, actor, {
			action: 'apitoken.revoke',
			subject: `api token ${id}`,
			region: row.user.scope,
			after: { user: row.user.email, label: row.label, revoked: 1 }
		});
	});
}

/** Revokes every live API token of an account; returns how many. */
export async function revokeApiTokens(db: Database, actor: Actor, email: string): Promise<number> {
	ensure(canManageUsers(actor), 'usersForbidden');
	return db.transaction(async (tx) => {
		const [user] = await tx
			.select()
			.from(users)
			.where(eq(users.email, normaliseEmail(email)));
		if (!user) throw new AppError('noAccount', { email: normaliseEmail(email) });
		ensure(canManageUser(actor, user), 'accountForbidden', { email: user.email });
		const revoked = await tx
			.update(apiTokens)
			.set({ revokedAt: appNow })
			.where(and(eq(apiTokens.userId, user.id), isNull(apiTokens.revokedAt)))
			.returning({ id: apiTokens.id });
		await audit(tx, actor, {
			action: 'apitoken.revoke',
			subject: user.email,
			region: user.scope,
			after: { revoked: revoked.length }
		});
		return revoked.length;
	});
}

/**
 * The owner changes their own password: the current one first (checked as a login attempt is,
 * within the login limits by the caller), then the new one must pass the same checks as any;
 * every other session of the account ends. Returns the ids ended.
 */
export async function changeOwnPassword(
	db: Database,
	actor: Actor,
	current: string,
	next: string,
	keepSession: string
): Promise<string[]> {
	ensure(actor.userId !== null && !actor.readOnly, 'readOnly');
	const [user] = await db.select().from(users).where(eq(users.id, actor.userId!));
	if (!user) throw new AppError('noAccount', { email: actor.email });
	if (!(await verifyPassword(user.passwordHash, current))) throw new AppError('wrongPassword');
	checkPassword(next, { email: user.email, name: user.name });
	const passwordHash = await hashPassword(next);
	return db.transaction(async (tx) => {
		await tx.update(users).set({ passwordHash }).where(eq(users.id, user.id));
		const ended = await endSessionsBut(tx, user.id, keepSession);
		await untrustBrowsers(tx, user.id);
		await audit(tx, actor, {
			action: 'user.change_password',
			subject: user.email,
			region: user.scope,
			after: { sessionsEnded: ended.length }
		});
		return ended;
	});
}
