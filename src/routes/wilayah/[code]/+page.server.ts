import { error } from '@sveltejs/kit';
import { dashboard } from '$lib/server/dashboard';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const date = url.searchParams.get('tanggal');
	if (date !== null && !/^\d{4}-\d{2}-\d{2}$/.test(date)) {
		error(400, `tanggal must be a date as YYYY-MM-DD, not ${JSON.stringify(date)}`);
	}
	const running = await services();
	return {
		...(await dashboard(running, locals.user!, params.code, date)),
		tileUrl: running.config.MAP_TILE_URL ?? null
	};
};
