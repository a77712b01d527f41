/**
 * Read-only API tokens: carry their account's scope, stored hashed, end on a date chosen at issue
 * (90 days unless said otherwise), revocable by their owner and by admins (issued and revoked by
 * account-verbs.ts). A token refused says why: unknown, revoked, expired, or its account disabled.
 */
import { and, desc, eq, gt, inArray, isNull } from 'drizzle-orm';
import type { Principal } from '../../domain/roles';
import type { Database } from '../platform/db/client';
import { apiTokens, users } from '../platform/db/schema';
import { hashToken } from '../platform/tokens';

export const API_TOKEN_PREFIX = 'pca';
export const API_TOKEN_DEFAULT_DAYS = 90;
/** The longest term a token may be given. */
export const API_TOKEN_MAX_DAYS = 365;

export interface ApiTokenPrincipal extends Principal {
	/** The token's row: a socket opened with it closes when it is revoked or ends. */
	tokenId: number;
	userId: number;
	email: string;
	name: string;
	readOnly: true;
}

export type ApiTokenRefusal = 'unknown' | 'revoked' | 'expired' | 'accountDisabled';
export type ApiTokenCheck =
	{ ok: true; principal: ApiTokenPrincipal } | { ok: false; reason: ApiTokenRefusal };

/** Why a token is refused, in the 401's words. */
export const API_TOKEN_REFUSALS: Record<ApiTokenRefusal, string> = {
	unknown: 'unknown API token',
	revoked: 'this API token was revoked',
	expired: 'this API token has expired; ask for a new one',
	accountDisabled: "this API token's account is disabled"
};

export async function checkApiToken(db: Database, token: string): Promise<ApiTokenCheck> {
	const [row] = await db
		.select({
			id: apiTokens.id,
			revokedAt: apiTokens.revokedAt,
			expiresAt: apiTokens.expiresAt,
			userId: users.id,
			email: users.email,
			name: users.name,
			role: users.role,
			scope: users.scope,
			disabledAt: users.disabledAt
		})
		.from(apiTokens)
		.innerJoin(users, eq(apiTokens.userId, users.id))
		.where(eq(apiTokens.tokenHash, hashToken(token)));
	if (!row) return { ok: false, reason: 'unknown' };
	if (row.revokedAt) return { ok: false, reason: 'revoked' };
	if (row.expiresAt.getTime() <= Date.now()) return { ok: false, reason: 'expired' };
	if (row.disabledAt) return { ok: false, reason: 'accountDisabled' };
	await db.update(apiTokens).set({ lastUsedAt: new Date() }).where(eq(apiTokens.id, row.id));
	return {
		ok: true,
		principal: {
			tokenId: row.id,
			userId: row.userId,
			email: row.email,
			name: row.name,
			role: row.role,
			scope: row.scope,
			readOnly: true
		}
	};
}

/** The principal behind a live token, or null (the reason aside). */
export async function validateApiToken(
	db: Database,
	token: string
): Promise<ApiTokenPrincipal | null> {
	const check = await checkApiToken(db, token);
	return check.ok ? check.principal : null;
}

/** Tokens as their owner and admins list them (never the token itself, only its number). */
export async function listApiTokens(db: Database, userIds?: number[]) {
	const rows = await db
		.select({
			id: apiTokens.id,
			label: apiTokens.label,
			access: apiTokens.access,
			createdAt: apiTokens.createdAt,
			expiresAt: apiTokens.expiresAt,
			revokedAt: apiTokens.revokedAt,
			lastUsedAt: apiTokens.lastUsedAt,
			userId: users.id,
			email: users.email,
			role: users.role,
			scope: users.scope
		})
		.from(apiTokens)
		.innerJoin(users, eq(apiTokens.userId, users.id))
		.orderBy(desc(apiTokens.id));
	return userIds ? rows.filter((r) => userIds.includes(r.userId)) : rows;
}

/** Which of these API tokens are still live (not revoked, not expired, account enabled). */
export async function liveApiTokens(db: Database, ids: number[]): Promise<number[]> {
	if (ids.length === 0) return [];
	const rows = await db
		.select({ id: apiTokens.id })
		.from(apiTokens)
		.innerJoin(users, eq(apiTokens.userId, users.id))
		.where(
			and(
				inArray(apiTokens.id, ids),
				isNull(apiTokens.revokedAt),
				gt(apiTokens.expiresAt, new Date()),
				isNull(users.disabledAt)
			)
		);
	return rows.map((r) => r.id);
}
