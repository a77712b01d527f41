import { factorActions } from '$lib/server/accounts/factor-forms';
import { factorView } from '$lib/server/accounts/account-page';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/** The owner's second factors: the authenticator app, passkeys, recovery codes. */
export const load: PageServerLoad = async ({ locals }) => {
	const me = locals.user!;
	const { handle, signInPolicy } = await services();
	return {
		...(await factorView(handle.db, me)),
		required: signInPolicy.requiredRoles.includes(me.role),
		readOnly: me.readOnly
	};
};

export const actions: Actions = factorActions;
