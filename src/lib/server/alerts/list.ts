/**
 * The alerts page's read side: a region's alerts by filter, regions' own first, then TPS alerts
 * grouped by district (the districts with the most first).
 */
import { sql } from 'drizzle-orm';
import { districtOf, type AlertRule } from '../../domain/alerts';
import { canAcknowledgeAlerts, canResolveAlerts, type Principal } from '../../domain/roles';
import { rows, type Database } from '../platform/db/client';
import { withinRegion } from '../platform/db/sql';
import type { RollupStore } from '../rollup/store';
import { regionFor } from '../views/regions';

export const ALERT_STATUSES = ['active', 'open', 'acknowledged', 'resolved'] as const;
export type AlertStatusFilter = (typeof ALERT_STATUSES)[number];
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

const total = (counts: Record<string, number>) =>
	Object.values(counts).reduce((sum, n) => sum + n, 0);

export async function alertList(
	db: Database,
	store: RollupStore,
	viewer: Principal,
	code: string,
	filters: { rule: AlertRule | ''; status: AlertStatusFilter }
) {
	const region = regionFor(store, viewer, code);
	const { rule, status } = filters;
	const list = await rows<Row>(
		db,
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
		regionAlerts,
		districts: [...districts.values()].sort(
			(a, b) => total(b.counts) - total(a.counts) || a.code.localeCompare(b.code)
		),
		total: list.length,
		truncated: list.length === LIMIT,
		canAct: canAcknowledgeAlerts(viewer, code),
		canResolve: canResolveAlerts(viewer, code)
	};
}
