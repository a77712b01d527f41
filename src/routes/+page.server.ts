import { error } from '@sveltejs/kit';
import { NATION_CODE } from '$lib/domain/codes';
import { regionWithChildren } from '$lib/server/queries/regions';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { handle } = await services();
	const nation = await regionWithChildren(handle.db, NATION_CODE);
	if (!nation) error(503, 'Data wilayah belum dimuat');
	return nation;
};
