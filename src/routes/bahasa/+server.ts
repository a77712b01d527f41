// POST /bahasa (form: lang=id|en, to=<path>): remembers the language in a cookie and goes back.
import { error, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { LANGUAGE_COOKIE, LANGUAGES, requestTranslator } from '$lib/i18n';
import { cookieOptions } from '$lib/server/platform/http/cookies';
import { formText } from '$lib/server/platform/http/errors';
import { sameOriginPath } from '$lib/server/platform/http/redirect';
import type { RequestHandler } from './$types';

const languageForm = z.object({ lang: z.enum(LANGUAGES), to: formText(2_000) });

export const POST: RequestHandler = async ({ request, cookies, url }) => {
	const data = await request.formData().catch(() => null);
	const form = languageForm.safeParse(
		Object.fromEntries([...(data ?? [])].filter(([, v]) => typeof v === 'string'))
	);
	if (!form.success)
		error(400, requestTranslator(cookies)('problem.formInvalid', { field: 'lang' }));
	cookies.set(LANGUAGE_COOKIE, form.data.lang, cookieOptions(url, { maxAge: 365 * 24 * 3600 }));
	// Only a path on this site: never an open redirect.
	redirect(303, sameOriginPath(form.data.to || null, url.origin));
};
