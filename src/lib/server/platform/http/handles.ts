/**
 * The request pipeline's named steps, composed in hooks.server.ts:
 * - authentication: the session cookie (browsers) or a read-only API token (`Authorization:
 *   Bearer pca_...`, API routes only) becomes `locals.user`;
 * - authorization: every page and API route needs a user except the few public ones;
 * - security headers on every answer (the CSP itself comes from svelte.config.js).
 */
import { error, redirect, type Handle } from '@sveltejs/kit';
import { API_TOKEN_REFUSALS } from '../../accounts/api-tokens';
import { identify, isApiToken } from '../../accounts/identify';
import { sessionCookieName } from '../../accounts/session';
import { config } from '../env';
import { cookieOptions, deleteCookie } from './cookies';
import { services } from '../../runtime';

/** The origin of MAP_TILE_URL (its {s} subdomain placeholder widened to a wildcard), or null. */
function tileOrigin(): string | null {
	const template = config().MAP_TILE_URL;
	if (!template) return null;
	const match = /^(https?:\/\/[^/]+)/.exec(template.replace('{s}', '*'));
	return match ? match[1] : null;
}

/** Paths anyone may reach: the login page, the phones' sync endpoint and clock, static assets. */
const PUBLIC = [
	/^\/login\/?$/,
	/^\/api\/v1\/heartbeats\/?$/,
	/^\/api\/v1\/clock\/?$/,
	// The transparency log's sizes and hashes; a receipt checks its reader itself.
	/^\/api\/v1\/log\/(checkpoint|key|consistency|days|cosignatures)\/?$/,
	/^\/api\/v1\/log\/tile\/[0-9x/.p]+$/,
	/^\/api\/v1\/heartbeats\/[^/]+\/receipt$/,
	/^\/bahasa\/?$/,
	/^\/favicon/,
	/^\/geo\//,
	/^\/robots\.txt$/
];

export const handleAuthentication: Handle = async ({ event, resolve }) => {
	event.locals.user = null;
	event.locals.sessionId = null;
	event.locals.session = null;
	event.locals.pending = null;
	const { handle } = await services();
	const bearer = /^Bearer\s+(\S+)$/i.exec(event.request.headers.get('authorization') ?? '')?.[1];
	// API tokens count on the API only; pages go by the session cookie.
	const apiToken = isApiToken(bearer) && event.url.pathname.startsWith('/api/') ? bearer : null;
	const sessionToken = apiToken ? null : (event.cookies.get(sessionCookieName) ?? null);
	const { identity, refused } = await identify(handle.db, { apiToken, sessionToken });
	if (apiToken && !identity) error(401, API_TOKEN_REFUSALS[refused ?? 'unknown']);
	if (identity?.session) {
		event.cookies.set(
			sessionCookieName,
			sessionToken!,
			cookieOptions(event.url, { expires: identity.session.expiresAt })
		);
		event.locals.sessionId = identity.session.id;
		event.locals.session = identity.session;
		// Only the password so far: the next step of signing in, nothing else.
		if (identity.session.stage !== 'full') event.locals.pending = identity.user;
		else event.locals.user = identity.user;
	} else if (identity) event.locals.user = identity.user;
	else if (sessionToken) deleteCookie(event.cookies, event.url, sessionCookieName);
	return resolve(event);
};

/** Where a session that has only passed the password may go: its next step, and out. */
const PENDING_PATHS = [/^\/masuk\/(kode|faktor)\/?$/, /^\/logout\/?$/, /^\/bahasa\/?$/];

export const handleAuthorization: Handle = async ({ event, resolve }) => {
	const path = event.url.pathname;
	if (event.locals.user || PUBLIC.some((pattern) => pattern.test(path))) return resolve(event);
	const pending = event.locals.session?.stage;
	if (pending && pending !== 'full') {
		if (PENDING_PATHS.some((pattern) => pattern.test(path))) return resolve(event);
		if (path.startsWith('/api/')) error(401, 'finish signing in (the second step) first');
		const step = pending === 'enrol' ? '/masuk/faktor' : '/masuk/kode';
		redirect(303, `${step}?ke=${encodeURIComponent(path + event.url.search)}`);
	}
	if (path.startsWith('/api/')) error(401, 'log in, or send Authorization: Bearer <API token>');
	redirect(303, `/login?ke=${encodeURIComponent(path + event.url.search)}`);
};

export const handleSecurityHeaders: Handle = async ({ event, resolve }) => {
	const response = await resolve(event);
	// MAP_TILE_URL: the CSP (svelte.config.js) lets the map load images from that host too.
	const tiles = tileOrigin();
	const csp = response.headers.get('content-security-policy');
	if (tiles && csp) {
		response.headers.set(
			'content-security-policy',
			csp.replace(/img-src ([^;]*)/, `img-src $1 ${tiles}`)
		);
	}
	// Whatever a signed-in user sees (names, phone numbers, counts in their scope) stays out of
	// shared and browser caches.
	if (event.locals.user && !response.headers.has('cache-control'))
		response.headers.set('cache-control', 'private, no-store');
	response.headers.set('x-content-type-options', 'nosniff');
	response.headers.set('referrer-policy', 'same-origin');
	response.headers.set('x-frame-options', 'DENY');
	return response;
};

/**
 * Form posts with a NUL character are refused before any action runs: PostgreSQL cannot store NUL
 * in text, and a person never types one (the fault suite's fuzzer found 500s without this).
 */
export const handleFormText: Handle = async ({ event, resolve }) => {
	const type = event.request.headers.get('content-type') ?? '';
	if (event.request.method === 'POST' && type.startsWith('application/x-www-form-urlencoded')) {
		const text = await event.request.clone().text();
		if (/%00/.test(text))
			error(400, 'the form contains a NUL character, which text fields cannot hold');
	}
	return resolve(event);
};
