// GET /api/v1/clock: the server's time and the campaign's dates, public. The phone app (and the
// simulator) compare their clock with it; in the demo it is the compressed clock.
import { json } from '@sveltejs/kit';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async () => {
	const running = await services();
	const campaign = running.plan().campaign;
	return json(
		{
			now: new Date(running.clock.now()).toISOString(),
			speed: running.clock.speed,
			campaign: campaign && {
				name: campaign.name,
				firstDay: campaign.firstDay,
				lastDay: campaign.lastDay
			}
		},
		{ headers: { 'cache-control': 'no-store' } }
	);
};
