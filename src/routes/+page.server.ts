import { error } from '@sveltejs/kit';
import { NATION_CODE } from '$lib/domain/codes';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async () => {
	const { store } = await services();
	const region = store.get(NATION_CODE);
	if (!region) error(503, 'Data wilayah belum dimuat');
	return { region, children: store.children(NATION_CODE) };
};
