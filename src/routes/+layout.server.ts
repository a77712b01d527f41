import { requestLanguage } from '$lib/i18n';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, cookies }) => ({
	lang: requestLanguage(cookies),
	user: locals.user
		? {
				name: locals.user.name,
				email: locals.user.email,
				role: locals.user.role,
				scope: locals.user.scope
			}
		: null
});
