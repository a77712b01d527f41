import { dashboard } from '$lib/server/dashboard';
import { guard } from '$lib/server/http/errors';
import { dateParam } from '$lib/server/http/params';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ params, locals, url }) => {
	const running = await services();
	return {
		...(await dashboard(running.views, locals.user!, params.code, dateParam(url))),
		tileUrl: running.config.MAP_TILE_URL ?? null,
		epoch: running.live.epoch
	};
});
