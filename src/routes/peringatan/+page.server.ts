import { z } from 'zod';
import { ALERT_RULES, type AlertRule } from '$lib/domain/alerts';
import { AppError } from '$lib/domain/errors';
import { actorOf } from '$lib/server/accounts/actor';
import { ALERT_STATUSES, alertList, type AlertStatusFilter } from '$lib/server/alerts/list';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ locals, url }) => {
	const user = locals.user!;
	const code = url.searchParams.get('wilayah') ?? user.scope;
	const { store, handle } = await services();
	const rule = url.searchParams.get('aturan') ?? '';
	if (rule && !ALERT_RULES.includes(rule as AlertRule))
		throw new AppError('badFilter', { name: 'aturan', value: rule });
	const status = url.searchParams.get('status') ?? 'active';
	if (!(ALERT_STATUSES as readonly string[]).includes(status))
		throw new AppError('badFilter', { name: 'status', value: status });
	const filters = { rule: rule as AlertRule | '', status: status as AlertStatusFilter };
	const list = await alertList(handle.db, store, user, code, filters);
	return { ...list, filters, rules: ALERT_RULES, statuses: ALERT_STATUSES };
});

/** Leaders acknowledge; resolving by hand is for coordinators and admins (alerts/service.ts act). */
const actForm = z.object({ id: formText(20), note: formText(10_000) });
const act = (action: 'acknowledge' | 'resolve') =>
	formAction(actForm, async ({ locals, getClientAddress }, form, _data, t) => {
		const id = Number(form.id);
		// Alert ids are PostgreSQL integers: anything larger names no alert.
		if (!/^\d{1,10}$/.test(form.id) || id <= 0 || id > 2_147_483_647)
			throw new AppError('alertNotFound', { id: form.id });
		const { alerts } = await services();
		await alerts.act(actorOf(locals.user!, getClientAddress()), id, action, form.note);
		return {
			message: t(action === 'acknowledge' ? 'alerts.acknowledgedDone' : 'alerts.resolvedDone')
		};
	});

export const actions: Actions = {
	acknowledge: act('acknowledge'),
	resolve: act('resolve')
};
