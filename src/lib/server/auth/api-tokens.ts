/** Read-only API tokens: issued for an account, carry its scope, stored hashed, revocable. */
import { and, eq, isNull } from 'drizzle-orm';
import type { Principal } from '../../domain/roles';
import type { Database } from '../db/client';
import { apiTokens, users } from '../db/schema';
import { audit } from './audit';
import type { Actor } from './users';
import { generateToken, hashToken } from './tokens';

export const API_TOKEN_PREFIX = 'pca';

export async function issueApiToken(
	db: Database,
	userId: number,
	label: string,
	by: Actor
): Promise<string> {
	const token = generateToken(API_TOKEN_PREFIX);
	const [row] = await db
		.insert(apiTokens)
		.values({ userId, tokenHash: hashToken(token), label })
		.returning({ id: apiTokens.id });
	await audit(db, {
		...by,
		action: 'apitoken.issue',
		subject: `api token ${row.id}`,
		after: { userId, label }
	});
	return token;
}

export interface ApiTokenPrincipal extends Principal {
	userId: number;
	email: string;
	name: string;
	readOnly: true;
}

export async function validateApiToken(
	db: Database,
	token: string
): Promise<ApiTokenPrincipal | null> {
	const [row] = await db
		.select({
			id: apiTokens.id,
			userId: users.id,
			email: users.email,
			name: users.name,
			role: users.role,
			scope: users.scope
		})
		.from(apiTokens)
		.innerJoin(users, eq(apiTokens.userId, users.id))
		.where(
			and(
				eq(apiTokens.tokenHash, hashToken(token)),
				isNull(apiTokens.revokedAt),
				isNull(users.disabledAt)
			)
		);
	if (!row) return null;
	await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
	return {
		userId: row.userId,
		email: row.email,
		name: row.name,
		role: row.role,
		scope: row.scope,
		readOnly: true
	};
}

export async function revokeApiTokens(db: Database, userId: number, by: Actor): Promise<number> {
	const revoked = await db
		.update(apiTokens)
		.set({ revokedAt: new Date() })
		.where(and(eq(apiTokens.userId, userId), isNull(apiTokens.revokedAt)))
		.returning({ id: apiTokens.id });
	await audit(db, {
		...by,
		action: 'apitoken.revoke',
		subject: `user ${userId}`,
		after: { revoked: revoked.length }
	});
	return revoked.length;
}
