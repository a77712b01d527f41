import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { requestTranslator } from '$lib/i18n';
import { deviceCookieName, login } from '$lib/server/accounts/login';
import { sessionCookieName } from '$lib/server/accounts/session';
import { cookieOptions } from '$lib/server/platform/http/cookies';
import { formText } from '$lib/server/platform/http/errors';
import { sameOriginPath } from '$lib/server/platform/http/redirect';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

const loginForm = z.object({ email: formText(320), password: formText(1_000) });

/** Only a path of this site after login: never an open redirect. */
const safeTarget = (url: URL) => sameOriginPath(url.searchParams.get('ke'), url.origin);

export const load: PageServerLoad = async ({ locals, url }) => {
	if (locals.user) redirect(303, safeTarget(url));
	const { signInPolicy } = await services();
	// The demo says that its public logins need no second factor; a real deployment never does.
	return { demo: signInPolicy.demo };
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const t = requestTranslator(cookies);
		const data = await request.formData().catch(() => null);
		const form = loginForm.safeParse(
			Object.fromEntries([...(data ?? [])].filter(([, v]) => typeof v === 'string'))
		);
		if (!data || !form.success)
			return fail(400, {
				email: '',
				message: t('problem.formInvalid', {
					field: String(form.error?.issues[0]?.path[0] ?? 'email')
				})
			});
		const { email, password } = form.data;
		if (!email || !password) return fail(400, { email, message: t('login.missing') });
		const { handle, loginLimits, signInPolicy } = await services();
		const result = await login(
			handle.db,
			loginLimits,
			{
				email,
				password,
				ip: getClientAddress(),
				device: cookies.get(deviceCookieName),
				userAgent: request.headers.get('user-agent')
			},
			signInPolicy
		);
		if (!result.ok)
			return fail(result.status, {
				email,
				message: t(`login.${result.problem}`, { minutes: result.minutes })
			});
		cookies.set(sessionCookieName, result.token, cookieOptions(url, { expires: result.expiresAt }));
		if (result.device)
			cookies.set(
				deviceCookieName,
				result.device.token,
				cookieOptions(url, { expires: result.device.expiresAt })
			);
		const target = safeTarget(url);
		// Signed in without a factor after an admin's reset (a role that needs none): told on /akun.
		if (result.stage === 'full')
			redirect(303, result.factorsReset ? `/akun?ke=${encodeURIComponent(target)}` : target);
		const step = result.stage === 'enrol' ? '/masuk/faktor' : '/masuk/kode';
		redirect(303, `${step}?ke=${encodeURIComponent(target)}`);
	}
};
