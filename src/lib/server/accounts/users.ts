/** Accounts as stored: lookups and the checks every account change needs (account-verbs.ts changes them). */
import { eq } from 'drizzle-orm';
import { regionLevel } from '../../domain/codes';
import { AppError } from '../../domain/errors';
import { ROLES, scopeProblem, type Role } from '../../domain/roles';
import type { Database } from '../platform/db/client';
import { regions, users, type User } from '../platform/db/schema';
import { MIN_PASSWORD_LENGTH, MIN_PASSWORD_SCORE, passwordScore } from './password';

export const normaliseEmail = (email: string) => email.trim().toLowerCase();

/** What the audit log keeps of an account: never its password hash. */
export const publicFields = (u: User) => ({
	email: u.email,
	name: u.name,
	role: u.role,
	scope: u.scope,
	disabled: u.disabledAt !== null
});

export function checkEmail(email: string): void {
	if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw new AppError('badEmail', { email });
}

/** At least the minimum length, and not easy to guess (common, breached, or like the account's name or email). */
export function checkPassword(
	password: string,
	account: { email?: string; name?: string } = {}
): void {
	if (password.length < MIN_PASSWORD_LENGTH)
		throw new AppError('shortPassword', { min: MIN_PASSWORD_LENGTH });
	const inputs = [
		account.email ?? '',
		...(account.email?.split(/[@.]/) ?? []),
		account.email?.split('@')[0] ?? '',
		account.name ?? ''
	].filter((w) => w.length >= 3);
	if (passwordScore(password, inputs) < MIN_PASSWORD_SCORE) throw new AppError('weakPassword');
}

/** The role exists, fits the scope, and the scope is a region that exists. */
export async function checkRoleAndScope(db: Database, role: string, scope: string): Promise<Role> {
	if (!ROLES.includes(role as Role)) throw new AppError('badRole', { roles: ROLES.join(', ') });
	const problem = scopeProblem(role as Role, scope);
	if (problem) throw new AppError(problem);
	if (regionLevel(scope) !== 'nation') {
		const [region] = await db
			.select({ code: regions.code })
			.from(regions)
			.where(eq(regions.code, scope));
		if (!region) throw new AppError('unknownRegion', { scope });
	}
	return role as Role;
}

export async function findUserByEmail(db: Database, email: string): Promise<User | null> {
	const [user] = await db
		.select()
		.from(users)
		.where(eq(users.email, normaliseEmail(email)));
	return user ?? null;
}

export async function listUsers(db: Database): Promise<User[]> {
	return db.select().from(users).orderBy(users.email);
}
