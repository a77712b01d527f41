/**
 * Who a request or a socket is, from what it sent: a read-only API token (`pca_…`, as a bearer
 * header or a socket's `auth.token`) or a session cookie. One answer for pages, the API and the
 * live socket, which only differ in what they do with it (renew the cookie, refuse with 401).
 */
import type { Role } from '../../domain/roles';
import type { Database } from '../platform/db/client';
import { API_TOKEN_PREFIX, validateApiToken } from './api-tokens';
import { validateSessionToken } from './session';

export interface Identity {
	user: {
		id: number;
		email: string;
		name: string;
		role: Role;
		scope: string;
		/** True for API tokens: they can never change data. */
		readOnly: boolean;
	};
	/** The session to renew, for a cookie; null for an API token. */
	session: { id: string; expiresAt: Date } | null;
}

/** Whether a bearer or handshake token is an API token (rather than anything else). */
export const isApiToken = (token: string | null | undefined): token is string =>
	typeof token === 'string' && token.startsWith(`${API_TOKEN_PREFIX}_`);

/**
 * The identity behind an API token or, without one, a session cookie; null when what was sent is
 * unknown, revoked, expired or absent.
 */
export async function identify(
	db: Database,
	sent: { apiToken?: string | null; sessionToken?: string | null }
): Promise<Identity | null> {
	if (isApiToken(sent.apiToken)) {
		const principal = await validateApiToken(db, sent.apiToken);
		if (!principal) return null;
		return {
			user: {
				id: principal.userId,
				email: principal.email,
				name: principal.name,
				role: principal.role,
				scope: principal.scope,
				readOnly: true
			},
			session: null
		};
	}
	if (!sent.sessionToken) return null;
	const { session, user } = await validateSessionToken(db, sent.sessionToken);
	return session ? { user: { ...user, readOnly: false }, session } : null;
}
