import { fail, redirect } from '@sveltejs/kit';
import { z } from 'zod';
import { factorsOf } from '$lib/server/accounts/factors';
import { deviceCookieName } from '$lib/server/accounts/login';
import { reauthenticate } from '$lib/server/accounts/second-step';
import { formAction, formText } from '$lib/server/platform/http/errors';
import { sameOriginPath } from '$lib/server/platform/http/redirect';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/**
 * Re-authentication: the password, or an app code, again. Pages with dangerous acts post here from
 * their prompt (ReauthPrompt.svelte) and send the act again; without JavaScript this page does
 * the same and returns to `ke`.
 */
export const load: PageServerLoad = async ({ locals }) => {
	const { handle } = await services();
	return { totp: (await factorsOf(handle.db, locals.user!.id)).totp };
};

const proofForm = z.object({ password: formText(1_000), code: formText(20) });

export const actions: Actions = {
	default: formAction(proofForm, async (event, form, _data, t) => {
		const { locals, url } = event;
		const me = locals.user!;
		if (!locals.session || me.readOnly) return fail(403, { message: t('problem.readOnly') });
		if (!form.password && !form.code)
			return fail(400, { message: t('reauth.missing'), problem: 'missing' });
		const { handle, loginLimits } = await services();
		const result = await reauthenticate(
			handle.db,
			loginLimits,
			{
				sessionId: locals.session.id,
				userId: me.id,
				ip: event.getClientAddress(),
				device: event.cookies.get(deviceCookieName),
				userAgent: event.request.headers.get('user-agent')
			},
			form.code ? { kind: 'totp', code: form.code } : { kind: 'password', password: form.password }
		);
		if (!result.ok)
			return fail(result.problem === 'tooMany' ? 429 : 400, {
				message: t(`secondStep.${result.problem}`, { minutes: result.minutes }),
				problem: result.problem
			});
		const next = url.searchParams.get('ke');
		if (next) redirect(303, sameOriginPath(next, url.origin));
		return { confirmed: true, message: t('reauth.done') };
	})
};
