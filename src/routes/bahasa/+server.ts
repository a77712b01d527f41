// POST /bahasa (form: lang=id|en, to=<path>): remembers the language in a cookie and goes back.
import { error, redirect } from '@sveltejs/kit';
import { LANGUAGE_COOKIE, LANGUAGES, type Language } from '$lib/i18n';
import { cookieOptions } from '$lib/server/http/cookies';
import { sameOriginPath } from '$lib/server/http/redirect';
import type { RequestHandler } from './$types';

export const POST: RequestHandler = async ({ request, cookies, url }) => {
	const form = await request.formData().catch(() => null);
	const lang = String(form?.get('lang') ?? '');
	if (!LANGUAGES.includes(lang as Language)) error(400, 'lang must be id or en');
	const to = form?.get('to');
	cookies.set(LANGUAGE_COOKIE, lang, cookieOptions(url, { maxAge: 365 * 24 * 3600 }));
	// Only a path on this site: never an open redirect.
	redirect(303, sameOriginPath(typeof to === 'string' ? to : null, url.origin));
};
