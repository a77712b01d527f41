/**
 * Who a request or a socket is, from what it sent: a read-only API token (`pca_…`, as a bearer
 * header or a socket's `auth.token`) or a session cookie. One answer for pages, the API and the
 * live socket, which only differ in what they do with it (renew the cookie, refuse with 401).
 * A session that has only passed the password (its stage is not `full`) is an identity with that
 * stage: the pages send it to the next step, the API and the socket refuse it.
 */
import type { Role } from '../../domain/roles';
import type { Database } from '../platform/db/client';
import { API_TOKEN_PREFIX, checkApiToken, type ApiTokenRefusal } from './api-tokens';
import { validateSessionToken, type SessionInfo } from './session';

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
	session: SessionInfo | null;
	/** The API token's row, for an API token. */
	apiTokenId?: number;
}

/** Whether a bearer or handshake token is an API token (rather than anything else). */
export const isApiToken = (token: string | null | undefined): token is string =>
	typeof token === 'string' && token.startsWith(`${API_TOKEN_PREFIX}_`);

export type Identified =
	{ identity: Identity; refused?: undefined } | { identity: null; refused?: ApiTokenRefusal };

/**
 * The identity behind an API token or, without one, a session cookie; no identity when what was
 * sent is unknown, revoked, expired or absent (for an API token, with the reason).
 */
export async function identify(
	db: Database,
	sent: { apiToken?: string | null; sessionToken?: string | null }
): Promise<Identified> {
	if (isApiToken(sent.apiToken)) {
		const check = await checkApiToken(db, sent.apiToken);
		if (!check.ok) return { identity: null, refused: check.reason };
		const { principal } = check;
		return {
			identity: {
				user: {
					id: principal.userId,
					email: principal.email,
					name: principal.name,
					role: principal.role,
					scope: principal.scope,
					readOnly: true
				},
				session: null,
				apiTokenId: principal.tokenId
			}
		};
	}
	if (!sent.sessionToken) return { identity: null };
	const { session, user } = await validateSessionToken(db, sent.sessionToken);
	return session
		? { identity: { user: { ...user, readOnly: false }, session } }
		: { identity: null };
}
