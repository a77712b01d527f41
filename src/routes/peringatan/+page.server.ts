import { error, fail } from '@sveltejs/kit';
import { sql } from 'drizzle-orm';
import { ALERT_RULES, districtOf, type AlertRule } from '$lib/domain/alerts';
import {
	canAcknowledgeAlerts,
	canChangeAnything,
	canResolveAlerts,
	canView
} from '$lib/domain/roles';
import { AlertError } from '$lib/server/alerts/service';
import { rows } from '$lib/server/db/client';
import { withinRegion } from '$lib/server/db/sql';
import { services } from '$lib/server/runtime';
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

export const load: PageServerLoad = async ({ locals, url }) => {
	const user = locals.user!;
	const code = url.searchParams.get('wilayah') ?? user.scope;
	const { store, handle } = await services();
	const region = store.get(code);
	if (!region) error(404, `Wilayah ${code} tidak ditemukan`);
	if (!canView(user, code)) error(403, `Wilayah ${code} di luar wilayah tugas Anda`);
	const rule = url.searchParams.get('aturan') ?? '';
	if (rule && !ALERT_RULES.includes(rule as AlertRule)) error(400, `unknown rule ${rule}`);
	const status = url.searchParams.get('status') ?? 'active';
	if (!(STATUSES as readonly string[]).includes(status)) error(400, `unknown status ${status}`);

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
		canAct: canChangeAnything(user),
		canResolve: canChangeAnything(user) && user.role !== 'leader'
	};
};

async function act(locals: App.Locals, request: Request, action: 'acknowledge' | 'resolve') {
	const user = locals.user!;
	if (!canChangeAnything(user))
		return fail(403, { message: 'Akun pengawas hanya dapat melihat peringatan' });
	if (action === 'resolve' && user.role === 'leader')
		return fail(403, {
			message:
				'Pimpinan menandai ditangani; menyelesaikan peringatan adalah tugas koordinator atau admin'
		});
	const form = await request.formData();
	const id = Number(form.get('id'));
	if (!Number.isInteger(id) || id <= 0) return fail(400, { message: 'id peringatan tidak sah' });
	const { alerts } = await services();
	try {
		// Leaders acknowledge; resolving by hand is for coordinators and admins (domain/roles.ts).
		const allowed = action === 'resolve' ? canResolveAlerts : canAcknowledgeAlerts;
		await alerts.act(id, action, user, String(form.get('note') ?? ''), (subject) =>
			allowed(user, subject)
		);
	} catch (caught) {
		if (caught instanceof AlertError) return fail(caught.status, { message: caught.message });
		throw caught;
	}
	return {
		message: action === 'acknowledge' ? 'Peringatan ditandai ditangani' : 'Peringatan diselesaikan'
	};
}

export const actions: Actions = {
	acknowledge: ({ locals, request }) => act(locals, request, 'acknowledge'),
	resolve: ({ locals, request }) => act(locals, request, 'resolve')
};
