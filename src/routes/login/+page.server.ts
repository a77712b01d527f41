import { fail, redirect } from '@sveltejs/kit';
import { login } from '$lib/server/auth/login';
import { cookieOptions } from '$lib/server/http/handles';
import { sessionCookieName } from '$lib/server/auth/session';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/** Only same-site paths after login: never an open redirect. */
const safeTarget = (target: string | null) =>
	target && target.startsWith('/') && !target.startsWith('//') ? target : '/';

export const load: PageServerLoad = ({ locals, url }) => {
	if (locals.user) redirect(303, safeTarget(url.searchParams.get('ke')));
};

export const actions: Actions = {
	default: async ({ request, cookies, url, getClientAddress }) => {
		const form = await request.formData();
		const email = String(form.get('email') ?? '');
		const password = String(form.get('password') ?? '');
		if (!email || !password) {
			return fail(400, { email, message: 'Isi email dan kata sandi.' });
		}
		const { handle } = await services();
		const result = await login(handle.db, email, password, getClientAddress());
		if (!result.ok) return fail(result.status, { email, message: result.message });
		cookies.set(sessionCookieName, result.token, cookieOptions(url, result.expiresAt));
		redirect(303, safeTarget(url.searchParams.get('ke')));
	}
};
