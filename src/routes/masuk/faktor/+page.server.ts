import { redirect } from '@sveltejs/kit';
import { factorActions } from '$lib/server/accounts/factor-forms';
import { factorView } from '$lib/server/accounts/account-page';
import { sameOriginPath } from '$lib/server/platform/http/redirect';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/**
 * Forced enrolment: the role requires a second factor and the account has none. The first factor
 * enrolled finishes signing in; the page then shows the recovery codes once and where to go on.
 */
export const load: PageServerLoad = async ({ locals, url }) => {
	const next = sameOriginPath(url.searchParams.get('ke'), url.origin);
	const who = locals.pending ?? locals.user;
	if (!who) redirect(303, '/login');
	// Signed in already (just now, by the action, or earlier): nothing to enrol here.
	if (locals.user)
		return {
			done: true,
			next,
			role: who.role,
			resetAt: null,
			totp: false,
			passkeys: [],
			recoveryLeft: 0
		};
	if (locals.session?.stage !== 'enrol') redirect(303, '/login');
	const { handle } = await services();
	const view = await factorView(handle.db, who);
	// A factor saved whose sign-in did not finish (the upgrade failed): prove it instead.
	if (view.totp || view.passkeys.length > 0) redirect(303, `/masuk/kode${url.search}`);
	return { done: false, next, role: who.role, ...view };
};

export const actions: Actions = factorActions;
