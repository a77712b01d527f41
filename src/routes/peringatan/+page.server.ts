import { sql } from 'drizzle-orm';
import { z } from 'zod';
import { ALERT_RULES, districtOf, type AlertRule } from '$lib/domain/alerts';
import { AppError } from '$lib/domain/errors';
import { canAcknowledgeAlerts, canResolveAlerts } from '$lib/domain/roles';
import { rows } from '$lib/server/platform/db/client';
import { withinRegion } from '$lib/server/platform/db/sql';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { regionFor } from '$lib/server/views/regions';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import type { Actions, PageServerLoad } from './$types';

const total = (counts: Record<string, number>) =>
	Object.values(counts).reduce((sum, n) => sum + n, 0);
const STATUSES = ['active', 'open', 'acknowledged', 'resolved'] as const;
/** TPS alerts listed per district at most; the rest are counted. */
const PER_DISTRICT = 50;
const LIMIT = 20_000;

interface Row {
	id: number;
	rule: AlertRule;
	subject: string;
	status: 'open' | 'acknowledged' | 'resolved';
	details: Record<string, number | string>;
	openedAt: string;
	note: string | null;
}

export const load: PageServerLoad = guard(async ({ locals, url }) => {
	const user = locals.user!;
	const code = url.searchParams.get('wilayah') ?? user.scope;
	const { store, handle } = await services();
	const region = regionFor(store, user, code);
	const rule = url.searchParams.get('aturan') ?? '';
	if (rule && !ALERT_RULES.includes(rule as AlertRule))
		throw new AppError('badFilter', { name: 'aturan', value: rule });
	const status = url.searchParams.get('status') ?? 'active';
	if (!(STATUSES as readonly string[]).includes(status))
		throw new AppError('badFilter', { name: 'status', value: status });

	const list = await rows<Row>(
		handle.db,
		sql`select id, rule, subject_code as subject, status, details, opened_at::text as "openedAt", note
			from alerts
			where ${withinRegion(sql`subject_code`, code)}
				and ${status === 'active' ? sql`status <> 'resolved'` : sql`status = ${status}`}
				${rule ? sql`and rule = ${rule}` : sql``}
			order by opened_at desc, id desc
			limit ${LIMIT}`
	);
	const name = (c: string) => store.get(c)?.name ?? c;
	const label = (subject: string) =>
		subject.length === 13
			? `TPS ${subject.slice(10)} · ${name(subject.slice(0, 10))}`
			: name(subject);
	const regionAlerts = list
		.filter((a) => a.subject.length < 13)
		.map((a) => ({ ...a, label: label(a.subject) }));
	const districts = new Map<
		string,
		{
			code: string;
			name: string;
			counts: Record<string, number>;
			alerts: (Row & { label: string })[];
			more: number;
		}
	>();
	for (const a of list) {
		if (a.subject.length < 13) continue;
		const district = districtOf(a.subject)!;
		let group = districts.get(district);
		if (!group) {
			group = { code: district, name: name(district), counts: {}, alerts: [], more: 0 };
			districts.set(district, group);
		}
		group.counts[a.rule] = (group.counts[a.rule] ?? 0) + 1;
		if (group.alerts.length < PER_DISTRICT) group.alerts.push({ ...a, label: label(a.subject) });
		else group.more += 1;
	}
	return {
		region: { code: region.code, name: region.name },
		filters: { rule, status },
		rules: ALERT_RULES,
		statuses: STATUSES,
		regionAlerts,
		// The districts with the most alerts first.
		districts: [...districts.values()].sort(
			(a, b) => total(b.counts) - total(a.counts) || a.code.localeCompare(b.code)
		),
		total: list.length,
		truncated: list.length === LIMIT,
		canAct: canAcknowledgeAlerts(user, code),
		canResolve: canResolveAlerts(user, code)
	};
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
