import { error, fail } from '@sveltejs/kit';
import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { alertSettingsSchema } from '$lib/domain/alerts';
import { regionLevel } from '$lib/domain/codes';
import { campaignLength, isLocalDate } from '$lib/domain/calendar';
import { formatPoints, parsePoints } from '$lib/domain/target-curve';
import { audit } from '$lib/server/auth/audit';
import { alertSettings, campaigns, curveOverrides } from '$lib/server/db/schema';
import { requestTranslator } from '$lib/i18n';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

function admin(event: { locals: App.Locals; cookies: RequestEvent['cookies'] }) {
	const user = event.locals.user!;
	if (user.role !== 'admin' || user.readOnly)
		error(403, requestTranslator(event.cookies)('admin.campaign.forbidden'));
	return user;
}

export const load: PageServerLoad = async (event) => {
	admin(event);
	const running = await services();
	const plan = running.plan();
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
};

const date = z.string().refine(isLocalDate, 'must be a real date (YYYY-MM-DD)');
const campaignForm = z
	.object({
		name: z.string().trim().min(3, 'at least 3 characters').max(120),
		firstDay: date,
		lastDay: date,
		points: z.string().max(2_000)
	})
	.refine((c) => c.lastDay > c.firstDay, {
		message: 'the last day must come after the first',
		path: ['lastDay']
	});

async function by(event: RequestEvent) {
	const user = admin(event);
	return {
		user,
		t: requestTranslator(event.cookies),
		running: await services(),
		form: Object.fromEntries(await event.request.formData())
	};
}

const problem = (error: z.ZodError) =>
	error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');

export const actions: Actions = {
	campaign: async (event) => {
		const { user, running, form, t } = await by(event);
		const parsed = campaignForm.safeParse(form);
		if (!parsed.success) return fail(400, { message: problem(parsed.error) });
		const c = parsed.data;
		const curve = parsePoints(c.points, campaignLength(c));
		if ('error' in curve) return fail(400, { message: `points: ${curve.error}` });
		const before = running.plan().campaign;
		if (!before) return fail(409, { message: 'there is no campaign to edit yet' });
		const after = { name: c.name, firstDay: c.firstDay, lastDay: c.lastDay, points: curve.points };
		await running.handle.db.update(campaigns).set(after).where(eq(campaigns.id, before.id));
		await audit(running.handle.db, {
			userId: user.id,
			actor: user.email,
			action: 'campaign.update',
			subject: `campaign ${before.id}`,
			before: {
				name: before.name,
				firstDay: before.firstDay,
				lastDay: before.lastDay,
				points: before.points
			},
			after
		});
		await running.reloadPlan();
		return { message: t('admin.campaign.saved') };
	},
	override: async (event) => {
		const { user, running, form, t } = await by(event);
		const code = String(form.code ?? '').trim();
		const level = regionLevel(code);
		if ((level !== 'province' && level !== 'regency') || !running.store.get(code))
			return fail(400, { message: `${code || '(empty)'} is not a province or regency code` });
		const campaign = running.plan().campaign;
		if (!campaign) return fail(409, { message: 'there is no campaign yet' });
		const text = String(form.points ?? '');
		const before = running.plan().overrides.get(code) ?? null;
		if (text.trim() === '') {
			await running.handle.db.delete(curveOverrides).where(eq(curveOverrides.regionCode, code));
		} else {
			const curve = parsePoints(text, campaignLength(campaign));
			if ('error' in curve) return fail(400, { message: `points: ${curve.error}` });
			await running.handle.db
				.insert(curveOverrides)
				.values({ regionCode: code, points: curve.points })
				.onConflictDoUpdate({
					target: curveOverrides.regionCode,
					set: { points: curve.points, updatedAt: new Date() }
				});
		}
		await audit(running.handle.db, {
			userId: user.id,
			actor: user.email,
			action: 'curve.override',
			subject: code,
			before,
			after: text.trim() === '' ? null : parsePoints(text, campaignLength(campaign))
		});
		await running.reloadPlan();
		return {
			message: t(
				text.trim() === '' ? 'admin.campaign.overrideRemoved' : 'admin.campaign.overrideSaved',
				{
					code
				}
			)
		};
	},
	settings: async (event) => {
		const { user, running, form, t } = await by(event);
		const numbers = Object.fromEntries(
			Object.entries(form).map(([key, value]) => [key, Number(String(value).replace(',', '.'))])
		);
		const parsed = alertSettingsSchema.safeParse(numbers);
		if (!parsed.success) return fail(400, { message: problem(parsed.error) });
		const before = running.plan().settings;
		await running.handle.db
			.insert(alertSettings)
			.values({ id: 1, settings: parsed.data, updatedBy: user.id })
			.onConflictDoUpdate({
				target: alertSettings.id,
				set: { settings: parsed.data, updatedBy: user.id, updatedAt: new Date() }
			});
		await audit(running.handle.db, {
			userId: user.id,
			actor: user.email,
			action: 'alerts.settings',
			subject: 'alert_settings',
			before,
			after: parsed.data
		});
		await running.reloadPlan();
		return { message: t('admin.campaign.thresholdsSaved') };
	}
};
