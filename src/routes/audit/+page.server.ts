import { AppError } from '$lib/domain/errors';
import { auditEntries } from '$lib/server/audit/entries';
import { guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ locals, url }) => {
	const viewer = locals.user!;
	const given = url.searchParams.get('sebelum');
	if (given !== null && !/^\d{1,15}$/.test(given))
		throw new AppError('badFilter', { name: 'sebelum', value: given.slice(0, 40) });
	const { handle } = await services();
	const page = await auditEntries(handle.db, viewer, given === null ? null : Number(given));
	return { scope: viewer.scope, ...page };
});
