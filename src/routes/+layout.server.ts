import { ROLE_LABELS } from '$lib/domain/roles';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals }) => ({
	user: locals.user
		? {
				name: locals.user.name,
				email: locals.user.email,
				role: locals.user.role,
				roleLabel: ROLE_LABELS[locals.user.role],
				scope: locals.user.scope
			}
		: null
});
