/**
 * The campaign's plan, changed by admins: its name and dates with the national target curve, a
 * province's or regency's own curve, and the alert thresholds. Each change and its audit entry in
 * one transaction; then `planChanged`, which reloads the plan in this process and (over Redis)
 * in every other.
 */
import { eq } from 'drizzle-orm';
import { THRESHOLD_RANGES, type AlertSettings, type Threshold } from '../../domain/alerts';
import { campaignLength, isLocalDate } from '../../domain/calendar';
import { NATION_CODE, regionLevel } from '../../domain/codes';
import { AppError, ensure } from '../../domain/errors';
import { canEditCampaign } from '../../domain/roles';
import { readPoints } from '../../domain/target-curve';
import { audit } from '../audit/record';
import { currentCampaign } from './campaign';
import type { Database } from '../platform/db/client';
import { alertSettings, appNow, campaigns, curveOverrides } from '../platform/db/schema';
import type { EventBus } from '../platform/events';
import type { Actor } from '../accounts/actor';

export interface PlanDeps {
	db: Database;
	bus?: EventBus;
}

export interface CampaignInput {
	name: string;
	firstDay: string;
	lastDay: string;
	/** The curve as typed: `10=40, 20=85`, empty for linear. */
	points: string;
}

export async function updateCampaign(deps: PlanDeps, actor: Actor, input: CampaignInput) {
	ensure(canEditCampaign(actor), 'campaignForbidden');
	const name = input.name.trim();
	if (name.length < 3 || name.length > 120) throw new AppError('campaignName');
	if (
		!isLocalDate(input.firstDay) ||
		!isLocalDate(input.lastDay) ||
		input.lastDay <= input.firstDay
	)
		throw new AppError('campaignDates');
	const points = readPoints(input.points, campaignLength(input));
	await deps.db.transaction(async (tx) => {
		const before = await currentCampaign(tx);
		if (!before) throw new AppError('campaignMissing');
		const after = { name, firstDay: input.firstDay, lastDay: input.lastDay, points };
		await tx.update(campaigns).set(after).where(eq(campaigns.id, before.id));
		await audit(tx, actor, {
			action: 'campaign.update',
			subject: `campaign ${before.id}`,
			region: NATION_CODE,
			before: {
				name: before.name,
				firstDay: before.firstDay,
				lastDay: before.lastDay,
				points: before.points
			},
			after
		});
	});
	deps.bus?.emit('planChanged', { origin: 'local' });
}

/** A province's or regency's own curve; empty text removes it. Returns whether one is set now. */
export async function setCurve(
	deps: PlanDeps,
	actor: Actor,
	code: string,
	text: string
): Promise<{ removed: boolean }> {
	ensure(canEditCampaign(actor), 'campaignForbidden');
	const level = regionLevel(code);
	if (level !== 'province' && level !== 'regency') throw new AppError('overrideLevel', { code });
	const removed = text.trim() === '';
	await deps.db.transaction(async (tx) => {
		const campaign = await currentCampaign(tx);
		if (!campaign) throw new AppError('campaignMissing');
		const points = removed ? null : readPoints(text, campaignLength(campaign));
		const [before] = await tx
			.select({ points: curveOverrides.points })
			.from(curveOverrides)
			.where(eq(curveOverrides.regionCode, code));
		if (points === null) {
			await tx.delete(curveOverrides).where(eq(curveOverrides.regionCode, code));
		} else {
			await tx
				.insert(curveOverrides)
				.values({ regionCode: code, points })
				.onConflictDoUpdate({
					target: curveOverrides.regionCode,
					set: { points, updatedAt: appNow }
				});
		}
		await audit(tx, actor, {
			action: 'curve.override',
			subject: code,
			region: code,
			before: before?.points ?? null,
			after: points
		});
	});
	deps.bus?.emit('planChanged', { origin: 'local' });
	return { removed };
}

/** The thresholds as typed (decimal commas allowed); every one must be in its range. */
export async function setThresholds(
	deps: PlanDeps,
	actor: Actor,
	typed: Record<string, string>
): Promise<AlertSettings> {
	ensure(canEditCampaign(actor), 'campaignForbidden');
	const settings = {} as Record<Threshold, number>;
	for (const [field, range] of Object.entries(THRESHOLD_RANGES) as [
		Threshold,
		(typeof THRESHOLD_RANGES)[Threshold]
	][]) {
		const value = Number(String(typed[field] ?? '').replace(',', '.'));
		const fits =
			typed[field]?.trim() &&
			Number.isFinite(value) &&
			value >= range.min &&
			value <= range.max &&
			(!range.whole || Number.isInteger(value));
		if (!fits) throw new AppError('thresholds', { field, min: range.min, max: range.max });
		settings[field] = value;
	}
	await deps.db.transaction(async (tx) => {
		const [stored] = await tx.select().from(alertSettings).where(eq(alertSettings.id, 1));
		await tx
			.insert(alertSettings)
			.values({ id: 1, settings, updatedBy: actor.userId })
			.onConflictDoUpdate({
				target: alertSettings.id,
				set: { settings, updatedBy: actor.userId, updatedAt: appNow }
			});
		await audit(tx, actor, {
			action: 'alerts.settings',
			subject: 'alert_settings',
			region: NATION_CODE,
			before: stored?.settings ?? null,
			after: settings
		});
	});
	deps.bus?.emit('planChanged', { origin: 'local' });
	return settings as AlertSettings;
}
