import { error } from '@sveltejs/kit';
import { isLocalDate } from '$lib/domain/calendar';
import { dashboard } from '$lib/server/dashboard';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const date = url.searchParams.get('tanggal');
	if (date !== null && !isLocalDate(date)) {
		error(400, `tanggal must be a real date as YYYY-MM-DD, not ${JSON.stringify(date)}`);
	}
	const running = await services();
	return {
		...(await dashboard(running, locals.user!, params.code, date)),
		tileUrl: running.config.MAP_TILE_URL ?? null,
		epoch: running.live.epoch
	};
};
