import { redirect } from '@sveltejs/kit';
import { sessionCookieName } from '$lib/server/accounts/session';
import { deleteCookie } from '$lib/server/platform/http/cookies';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { endSession } from '$lib/server/accounts/session-verbs';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = () => redirect(303, '/');

export const actions: Actions = {
	default: async ({ locals, cookies, url, getClientAddress }) => {
		const { handle, bus } = await services();
		const sessionId = locals.sessionId;
		// A session that has only passed the password ends the same way.
		const who = locals.user ?? locals.pending;
		if (sessionId && who) {
			const actor = actorOf(who, getClientAddress());
			await endSession(handle.db, actor, sessionId);
			bus.emit('sessionsEnded', { ids: [sessionId], origin: 'local' });
		}
		deleteCookie(cookies, url, sessionCookieName);
		redirect(303, '/login');
	}
};
