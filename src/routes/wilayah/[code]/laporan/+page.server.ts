import { addDays } from '$lib/domain/calendar';
import { guard } from '$lib/server/platform/http/errors';
import { dateParam } from '$lib/server/platform/http/params';
import { report } from '$lib/server/views/report';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ params, locals, url }) => {
	const running = await services();
	const r = await report(running.views, locals.user!, params.code, dateParam(url));
	// The days a report exists for: the campaign's first day up to today (or its last), newest first.
	const plan = running.plan();
	const days: string[] = [];
	if (plan.campaign) {
		const today = plan.today(params.code, running.clock.now())!.date;
		const last = today < plan.campaign.lastDay ? today : plan.campaign.lastDay;
		for (let d = plan.campaign.firstDay; d <= last; d = addDays(d, 1)) days.unshift(d);
	}
	return { report: r, days, tileUrl: running.config.MAP_TILE_URL ?? null };
});
