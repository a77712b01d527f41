import { addDays, campaignLength, dayStart, zoneOf } from '$lib/domain/calendar';
import { canWriteNotes } from '$lib/domain/roles';
import { guard } from '$lib/server/platform/http/errors';
import { reminder, whatsappLink } from '$lib/server/followup/pantarlih-list';
import { snapshotsOn } from '$lib/server/history/snapshots';
import { dayWindow } from '$lib/server/evidence/day';
import { witnessedBy } from '$lib/server/evidence/witnesses';
import type { Witnessed } from '$lib/domain/note';
import { services } from '$lib/server/runtime';
import { chronology, tpsSeries, tpsState } from '$lib/server/views/tps';
import type { PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ params, locals, url }) => {
	const running = await services();
	const viewer = locals.user!;
	const tps = await tpsState(running.views, viewer, params.code);
	const page = await chronology(
		running.views,
		viewer,
		params.code,
		url.searchParams.get('setelah'),
		50
	);
	const plan = running.plan();
	const now = running.clock.now();
	const today = plan.today(params.code, now);
	// The TPS's share of the target curve, one point per campaign day so far.
	const curve: { date: string; at: number; target: number }[] = [];
	if (plan.campaign && today) {
		const days = Math.min(today.day, campaignLength(plan.campaign));
		for (let day = 1; day <= days; day++) {
			const date = addDays(plan.campaign.firstDay, day - 1);
			// At the end of that local day (the target is the day's), in the TPS's own zone.
			curve.push({
				date,
				at: dayStart(addDays(date, 1), zoneOf(params.code)) - 1,
				target: Math.ceil(tps.target * plan.shareOn(params.code, date))
			});
		}
	}
	// The evidence of the last frozen day (within a week): the village's digest over its
	// heartbeats of that day.
	let evidence: {
		date: string;
		heartbeats: number | null;
		digest: string | null;
		witnessed: Witnessed;
	} | null = null;
	for (let back = 1; today && back <= 7 && !evidence; back++) {
		const date = addDays(today.date, -back);
		const frozen = (await snapshotsOn(running.handle.db, [tps.village.code], date)).get(
			tps.village.code
		);
		if (frozen)
			evidence = {
				date,
				heartbeats: frozen.heartbeats,
				digest: frozen.digest,
				witnessed: await witnessedBy(running.handle.db, dayWindow(date, zoneOf(params.code))[1])
			};
	}
	// WhatsApp (with the reminder) and a call, for whoever chases this TPS's Pantarlih (as in the
	// Pantarlih list and the region page's "call now").
	const phone = tps.pantarlih.phone;
	const contact =
		canWriteNotes(viewer, params.code) && phone
			? {
					whatsapp: whatsappLink(
						phone,
						reminder({
							name: tps.pantarlih.name,
							number: tps.code.slice(10),
							villageName: tps.village.name
						})
					),
					tel: `tel:${phone}`
				}
			: null;
	return {
		tps,
		contact,
		chronology: page,
		cursor: url.searchParams.get('setelah'),
		series: await tpsSeries(running.views, params.code),
		curve,
		today,
		evidence,
		thresholds: { ...plan.settings },
		simulated: plan.campaign?.simulated ?? false,
		epoch: running.live.epoch,
		now
	};
});
