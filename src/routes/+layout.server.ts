import { canEditCampaign, canImport, canManageUsers, canReadAudit } from '$lib/domain/roles';
import { requestLanguage } from '$lib/i18n';
import type { LayoutServerLoad } from './$types';

export const load: LayoutServerLoad = ({ locals, cookies }) => ({
	lang: requestLanguage(cookies),
	user: locals.user
		? {
				name: locals.user.name,
				email: locals.user.email,
				role: locals.user.role,
				scope: locals.user.scope,
				// What the navigation offers, decided by roles.ts (the pages check again).
				may: {
					campaign: canEditCampaign(locals.user),
					users: canManageUsers(locals.user),
					import: canImport(locals.user),
					audit: canReadAudit(locals.user)
				}
			}
		: null
});
