import { redirect } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { audit } from '$lib/server/auth/audit';
import { sessionCookieName } from '$lib/server/auth/session';
import { sessions } from '$lib/server/db/schema';
import { deleteCookie } from '$lib/server/http/cookies';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/verbs/actor';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url, getClientAddress }) => {
		const { handle } = await services();
		const sessionId = locals.sessionId;
		if (sessionId && locals.user) {
			const actor = actorOf(locals.user, getClientAddress());
			// Server-side: the session row goes (a copied cookie is worthless afterwards), with its entry.
			await handle.db.transaction(async (tx) => {
				await tx.delete(sessions).where(eq(sessions.id, sessionId));
				await audit(tx, actor, { action: 'logout' });
			});
		}
		deleteCookie(cookies, url, sessionCookieName);
		redirect(303, '/login');
	}
};
