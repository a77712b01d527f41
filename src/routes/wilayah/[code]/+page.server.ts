import { currentCampaign, todayTarget } from '$lib/server/campaign';
import { services } from '$lib/server/runtime';
import { viewRegion } from '$lib/server/regions';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = async ({ params, locals }) => {
	const { store, handle } = await services();
	const view = viewRegion(store, locals.user!, params.code);
	const campaign = await currentCampaign(handle.db);
	const now = new Date();
	return {
		...view,
		campaign: campaign && {
			name: campaign.name,
			simulated: campaign.simulated,
			today: todayTarget(campaign, view.region.code, now),
			// Children keep their own zone's calendar (a province of the nation may be an hour ahead).
			childShares: Object.fromEntries(
				view.children.map((c) => [c.code, todayTarget(campaign, c.code, now).share])
			)
		}
	};
};
