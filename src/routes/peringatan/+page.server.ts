import { z } from 'zod';
import { ALERT_RULES, type AlertRule } from '$lib/domain/alerts';
import { AppError } from '$lib/domain/errors';
import { actorOf } from '$lib/server/accounts/actor';
import {
	ALERT_SORTS,
	ALERT_STATUSES,
	alertList,
	type AlertSort,
	type AlertStatusFilter
} from '$lib/server/alerts/list';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ locals, url }) => {
	const user = locals.user!;
	const code = url.searchParams.get('wilayah') ?? user.scope;
	const { store, handle } = await services();
	const param = (name: string, fallback: string, allowed: readonly string[]) => {
		const value = url.searchParams.get(name) ?? fallback;
		if (!allowed.includes(value))
			throw new AppError('badFilter', { name, value: value.slice(0, 40) });
		return value;
	};
	const rule = param('aturan', '', ['', ...ALERT_RULES]) as AlertRule | '';
	const status = param('status', 'active', ALERT_STATUSES) as AlertStatusFilter;
	const sort = param('urut', 'terbaru', ALERT_SORTS) as AlertSort;
	const pageText = url.searchParams.get('halaman') ?? '1';
	if (!/^\d{1,6}$/.test(pageText) || Number(pageText) < 1)
		throw new AppError('badFilter', { name: 'halaman', value: pageText.slice(0, 40) });
	const filters = { rule, status, sort, page: Number(pageText) };
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
