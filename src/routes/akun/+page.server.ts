import { fail } from '@sveltejs/kit';
import { z } from 'zod';
import { actorOf } from '$lib/server/accounts/actor';
import { changeOwnPassword } from '$lib/server/accounts/account-verbs';
import { factorActions } from '$lib/server/accounts/factor-forms';
import { acknowledgeReset } from '$lib/server/accounts/factors';
import { takeAttempt } from '$lib/server/accounts/login';
import { formAction, formText } from '$lib/server/platform/http/errors';
import { factorView } from '$lib/server/accounts/account-page';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/** The owner's second factors: the authenticator app, passkeys, recovery codes. */
export const load: PageServerLoad = async ({ locals }) => {
	const me = locals.user!;
	const { handle, signInPolicy } = await services();
	const view = await factorView(handle.db, me);
	// Told now, once: the notice of an admin's reset is not shown again.
	if (view.resetAt && !me.readOnly) await acknowledgeReset(handle.db, me.id);
	return {
		...view,
		required: signInPolicy.requiredRoles.includes(me.role),
		readOnly: me.readOnly
	};
};

const passwordForm = z.object({ current: formText(1_000), next: formText(1_000) });

export const actions: Actions = {
	...factorActions,
	/** The owner's own password: the current one, counted as a login attempt; then a new one. */
	password: formAction(passwordForm, async (event, form, _data, t) => {
		const me = event.locals.user!;
		const { handle, bus, loginLimits } = await services();
		const taken = await takeAttempt(loginLimits, {
			ip: event.getClientAddress(),
			account: me.email,
			knownDevice: null
		});
		if ('minutes' in taken)
			return fail(429, {
				message: t('login.tooMany', { minutes: taken.minutes }),
				problem: 'tooMany'
			});
		const ended = await changeOwnPassword(
			handle.db,
			actorOf(me, event.getClientAddress()),
			form.current,
			form.next,
			event.locals.sessionId!
		);
		await taken.release();
		bus.emit('sessionsEnded', { ids: ended, origin: 'local' });
		return { message: t('account.passwordChanged', { count: ended.length }) };
	})
};
