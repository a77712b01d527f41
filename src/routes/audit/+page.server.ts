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
	const { handle, store } = await services();
	const page = await auditEntries(handle.db, viewer, given === null ? null : Number(given));
	const name = (code: string | null) =>
		code ? (store.get(code.slice(0, 10))?.name ?? null) : null;
	return {
		scope: viewer.scope,
		scopeName: name(viewer.scope),
		...page,
		entries: page.entries.map((e) => ({ ...e, regionName: name(e.region) }))
	};
});
