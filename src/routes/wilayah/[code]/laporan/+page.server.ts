import { guard } from '$lib/server/http/errors';
import { dateParam } from '$lib/server/http/params';
import { report } from '$lib/server/report';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ params, locals, url }) => {
	const running = await services();
	return {
		report: await report(running.views, locals.user!, params.code, dateParam(url)),
		tileUrl: running.config.MAP_TILE_URL ?? null
	};
});
