import { canEditCampaign } from '$lib/domain/roles';
import { formatPoints } from '$lib/domain/target-curve';
import { z } from 'zod';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { setCurve, setThresholds, updateCampaign } from '$lib/server/history/campaign-verbs';
import { AppError } from '$lib/domain/errors';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ locals }) => {
	if (!canEditCampaign(locals.user!)) throw new AppError('campaignForbidden');
	const running = await services();
	// A change just made (this request's action) is read back, not the plan from before it.
	const plan = await running.freshPlan();
	return {
		campaign: plan.campaign && {
			name: plan.campaign.name,
			firstDay: plan.campaign.firstDay,
			lastDay: plan.campaign.lastDay,
			points: formatPoints(plan.campaign.points)
		},
		overrides: [...plan.overrides].map(([code, points]) => ({
			code,
			name: running.store.get(code)?.name ?? code,
			points: formatPoints(points)
		})),
		settings: plan.settings
	};
});

const deps = async () => {
	const running = await services();
	return { db: running.handle.db, bus: running.bus };
};

const campaignForm = z.object({
	name: formText(200),
	firstDay: formText(40),
	lastDay: formText(40),
	points: formText(20_000)
});
const overrideForm = z.object({ code: formText(40), points: formText(20_000) });
/** Each threshold as typed (setThresholds checks the ranges and names the field). */
const settingsForm = z.record(z.string().max(40), z.string().max(40));

export const actions: Actions = {
	campaign: formAction(campaignForm, async ({ locals, getClientAddress }, form, _data, t) => {
		await updateCampaign(await deps(), actorOf(locals.user!, getClientAddress()), form);
		return { message: t('admin.campaign.saved') };
	}),
	override: formAction(overrideForm, async ({ locals, getClientAddress }, form, _data, t) => {
		const code = form.code.trim();
		const { removed } = await setCurve(
			await deps(),
			actorOf(locals.user!, getClientAddress()),
			code,
			form.points
		);
		return {
			message: t(removed ? 'admin.campaign.overrideRemoved' : 'admin.campaign.overrideSaved', {
				code
			})
		};
	}),
	settings: formAction(settingsForm, async ({ locals, getClientAddress }, form, _data, t) => {
		await setThresholds(await deps(), actorOf(locals.user!, getClientAddress()), form);
		return { message: t('admin.campaign.thresholdsSaved') };
	})
};
