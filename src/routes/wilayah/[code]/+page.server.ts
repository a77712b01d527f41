import { services } from '$lib/server/runtime';
import { viewRegion } from '$lib/server/regions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const { store } = await services();
	return viewRegion(store, locals.user!, params.code);
};
