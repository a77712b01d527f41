import { redirect } from '@sveltejs/kit';
import { audit } from '$lib/server/auth/audit';
import { invalidateSession, sessionCookieName } from '$lib/server/auth/session';
import { deleteCookie } from '$lib/server/http/cookies';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url, getClientAddress }) => {
		const { handle } = await services();
		if (locals.sessionId) {
			// Server-side: the session row goes, so a copied cookie is worthless afterwards.
			await invalidateSession(handle.db, locals.sessionId);
			await audit(handle.db, {
				userId: locals.user?.id,
				actor: locals.user?.email ?? '?',
				action: 'logout',
				ip: getClientAddress()
			});
		}
		deleteCookie(cookies, url, sessionCookieName);
		redirect(303, '/login');
	}
};
