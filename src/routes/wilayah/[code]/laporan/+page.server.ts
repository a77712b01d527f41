import { report } from '$lib/server/report';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const running = await services();
	return {
		report: await report(running, locals.user!, params.code, url.searchParams.get('tanggal')),
		tileUrl: running.config.MAP_TILE_URL ?? null
	};
};
