/**
 * Read-only API tokens: carry their account's scope, stored hashed, revocable (issued and revoked
 * by account-verbs.ts).
 */
import { and, eq, isNull } from 'drizzle-orm';
import type { Principal } from '../../domain/roles';
import type { Database } from '../platform/db/client';
import { apiTokens, users } from '../platform/db/schema';
import { hashToken } from '../platform/tokens';

export const API_TOKEN_PREFIX = 'pca';

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
