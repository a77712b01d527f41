/**
 * One policy for every cookie the server sets or deletes (the session, the language): HttpOnly,
 * SameSite=Lax, path /, and Secure whenever the site is served over HTTPS. Setting and deleting
 * use the same options, so a browser never keeps a cookie that the server thinks it replaced.
 */
import type { Cookies } from '@sveltejs/kit';

export function cookieOptions(url: URL, lifetime: { expires?: Date; maxAge?: number } = {}) {
	return {
		path: '/',
		httpOnly: true,
		sameSite: 'lax' as const,
		secure: url.protocol === 'https:',
		...lifetime
	};
}

export function deleteCookie(cookies: Cookies, url: URL, name: string): void {
	cookies.delete(name, cookieOptions(url));
}
