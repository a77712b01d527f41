/** Accounts: create, change, disable, reset password; every change is audited with before/after. */
import { eq } from 'drizzle-orm';
import { regionLevel } from '../../domain/codes';
import { ROLES, scopeProblem, type Role, type ScopeProblem } from '../../domain/roles';
import type { Database } from '../db/client';
import { regions, users, type User } from '../db/schema';
import { audit } from './audit';
import { translator } from '../../i18n';
import { hashPassword, MIN_PASSWORD_LENGTH } from './password';
import { invalidateUserSessions } from './session';

export type AccountProblem =
	| ScopeProblem
	| 'badRole'
	| 'unknownRegion'
	| 'badEmail'
	| 'shortPassword'
	| 'exists'
	| 'noAccount';

const english = translator('en');

/**
 * A refused account change: `problem` and `values` for a page to say in its language
 * (`accountError.<problem>` in src/lib/i18n); the message in English for the command line.
 */
export class UserError extends Error {
	override name = 'UserError';
	constructor(
		readonly problem: AccountProblem,
		readonly values: Record<string, string | number> = {}
	) {
		super(english(`accountError.${problem}`, values));
	}
}

function checkPassword(password: string) {
	if (password.length < MIN_PASSWORD_LENGTH)
		throw new UserError('shortPassword', { min: MIN_PASSWORD_LENGTH });
}

export interface Actor {
	userId: number | null;
	actor: string;
	ip?: string | null;
}

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

const publicFields = (u: User) => ({
	email: u.email,
	name: u.name,
	role: u.role,
	scope: u.scope,
	disabled: u.disabledAt !== null
});

async function checkRoleAndScope(db: Database, role: string, scope: string) {
	if (!ROLES.includes(role as Role)) throw new UserError('badRole', { roles: ROLES.join(', ') });
	const problem = scopeProblem(role as Role, scope);
	if (problem) throw new UserError(problem);
	if (regionLevel(scope) !== 'nation') {
		const [region] = await db
			.select({ code: regions.code })
			.from(regions)
			.where(eq(regions.code, scope));
		if (!region) throw new UserError('unknownRegion', { scope });
	}
}

export async function createUser(
	db: Database,
	input: { email: string; name?: string; password: string; role: string; scope: string },
	by: Actor
): Promise<User> {
	const email = normaliseEmail(input.email);
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email))
		throw new UserError('badEmail', { email: input.email });
	checkPassword(input.password);
	await checkRoleAndScope(db, input.role, input.scope);
	const [existing] = await db.select({ id: users.id }).from(users).where(eq(users.email, email));
	if (existing) throw new UserError('exists', { email });
	const [user] = await db
		.insert(users)
		.values({
			email,
			name: input.name?.trim() || email,
			passwordHash: await hashPassword(input.password),
			role: input.role as Role,
			scope: input.scope
		})
		.returning();
	await audit(db, { ...by, action: 'user.create', subject: email, after: publicFields(user) });
	return user;
}

export async function findUserByEmail(db: Database, email: string): Promise<User | null> {
	const [user] = await db
		.select()
		.from(users)
		.where(eq(users.email, normaliseEmail(email)));
	return user ?? null;
}

export async function updateUser(
	db: Database,
	email: string,
	change: { role?: string; scope?: string; name?: string; password?: string; disabled?: boolean },
	by: Actor
): Promise<User> {
	const before = await findUserByEmail(db, email);
	if (!before) throw new UserError('noAccount', { email: normaliseEmail(email) });
	const role = change.role ?? before.role;
	const scope = change.scope ?? before.scope;
	if (change.role !== undefined || change.scope !== undefined)
		await checkRoleAndScope(db, role, scope);
	if (change.password !== undefined) {
		checkPassword(change.password);
	}
	const [after] = await db
		.update(users)
		.set({
			role: role as Role,
			scope,
			name: change.name?.trim() || before.name,
			...(change.password !== undefined
				? { passwordHash: await hashPassword(change.password) }
				: {}),
			...(change.disabled !== undefined ? { disabledAt: change.disabled ? new Date() : null } : {})
		})
		.where(eq(users.id, before.id))
		.returning();
	// A disabled account, a new password or a narrower scope ends every open session at once.
	if (
		change.disabled ||
		change.password !== undefined ||
		role !== before.role ||
		scope !== before.scope
	) {
		await invalidateUserSessions(db, before.id);
	}
	const action =
		change.disabled === true
			? 'user.disable'
			: change.password !== undefined
				? 'user.reset_password'
				: 'user.update';
	await audit(db, {
		...by,
		action,
		subject: after.email,
		before: publicFields(before),
		after: publicFields(after)
	});
	return after;
}

export async function listUsers(db: Database): Promise<User[]> {
	return db.select().from(users).orderBy(users.email);
}
