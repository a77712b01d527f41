import { z } from 'zod';
import { describeBrowser } from '$lib/domain/second-factor';
import { actorOf } from '$lib/server/accounts/actor';
import { timeIn } from '$lib/server/accounts/account-page';
import { listSessions } from '$lib/server/accounts/session';
import { endOwnSessions } from '$lib/server/accounts/session-verbs';
import { formAction, formText } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import { requireRecentProof } from '$lib/server/accounts/second-step';
import type { Actions, PageServerLoad } from './$types';

/**
 * The owner's open sessions: browser and system in words, address, signed in, last seen, this one
 * marked. A session is named by its id, the SHA-256 of its cookie: it cannot be turned back into
 * the cookie, and only its owner sees it.
 */
export const load: PageServerLoad = async ({ locals }) => {
	const me = locals.user!;
	const { handle } = await services();
	const when = timeIn(me.scope);
	const sessions = await listSessions(handle.db, me.id);
	return {
		sessions: sessions.map((s) => ({
			id: s.id,
			current: s.id === locals.sessionId,
			pending: s.stage !== 'full',
			...describeBrowser(s.userAgent),
			ip: s.ip,
			signedIn: when(s.createdAt),
			lastSeen: when(s.lastSeenAt)
		}))
	};
};

const endForm = z.object({ id: formText(100) });

export const actions: Actions = {
	/** Ends one session (`id`) or every other (`id` = others); this one is left by signing out. */
	end: formAction(endForm, async ({ locals, getClientAddress }, form, _data, t) => {
		const me = locals.user!;
		if (form.id === locals.sessionId) return { message: t('account.useLogout') };
		// ASVS 3.3.4: ending sessions after the credentials again (a stolen cookie cannot shut the
		// owner out).
		requireRecentProof(locals.session);
		const { handle, bus } = await services();
		const ended = await endOwnSessions(
			handle.db,
			actorOf(me, getClientAddress()),
			locals.sessionId!,
			form.id
		);
		if (ended.length > 0) bus.emit('sessionsEnded', { ids: ended, origin: 'local' });
		return {
			message:
				form.id === 'others'
					? t('account.othersEnded', { count: ended.length })
					: ended.length > 0
						? t('account.sessionEnded')
						: t('account.sessionGone')
		};
	})
};
