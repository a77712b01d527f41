import { addDays, campaignDay } from '$lib/domain/calendar';
import { FIELD_LEVELS } from '$lib/domain/codes';
import { canWriteNotes, opensOnEvidence } from '$lib/domain/roles';
import { dashboard } from '$lib/server/views/dashboard';
import { guard } from '$lib/server/platform/http/errors';
import { dateParam } from '$lib/server/platform/http/params';
import { pantarlihList } from '$lib/server/followup/pantarlih-list';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

/** How many Pantarlih of each state the coordinator's "call now" panel lists. */
const CALL_NOW = 3;
/**
 * The states to call about, most urgent first: records stuck on the phone (counted but not
 * arriving), then silent (synced before, quiet since, longest first), then never synced.
 */
const TO_CALL = ['tertahan', 'senyap', 'belum_pernah'] as const;

export const load: PageServerLoad = guard(async ({ params, locals, url }) => {
	const running = await services();
	const viewer = locals.user!;
	const date = dateParam(url);
	const board = await dashboard(running.views, viewer, params.code, date);
	// Role first: who may call the Pantarlih of this region sees whom to call now.
	let callNow = null;
	if (!date && FIELD_LEVELS.includes(board.region.level) && canWriteNotes(viewer, params.code)) {
		const groups = [];
		let total = 0;
		for (const state of TO_CALL) {
			const list = await pantarlihList(
				running.views,
				viewer,
				params.code,
				{ sort: 'senyap', state },
				{ offset: 0, limit: CALL_NOW }
			);
			groups.push({ state, rows: list.rows, count: list.shown });
			total = list.total;
		}
		callNow = { groups, total, waiting: groups.reduce((sum, g) => sum + g.count, 0) };
	}
	// The days that can be looked at: the campaign's, up to yesterday (frozen), newest first.
	const days: string[] = [];
	const plan = running.plan();
	if (plan.campaign && board.today) {
		const last =
			board.today.date < plan.campaign.lastDay ? board.today.date : plan.campaign.lastDay;
		for (let d = plan.campaign.firstDay; d < last; d = addDays(d, 1)) days.unshift(d);
	}
	return {
		...board,
		// A past date's "Hari ke-N" is that date's day, not today's.
		dayShown: date && plan.campaign ? campaignDay(plan.campaign, date) : null,
		days,
		callNow,
		opensOnEvidence: opensOnEvidence(viewer),
		tileUrl: running.config.MAP_TILE_URL ?? null,
		epoch: running.live.epoch
	};
});
