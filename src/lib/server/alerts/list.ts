/**
 * The alerts page's read side, for any scope up to the nation with hundreds of thousands of open
 * alerts: exact counts by rule, the next level down grouped with its counts per rule (each row
 * opens that region's alerts), and the alerts themselves a page at a time, newest or oldest first.
 * An alert about a TPS carries its Pantarlih: name, phone (masked for observers), and WhatsApp and
 * call for those who may write notes, as the Pantarlih list does. The counts are the same query as
 * the region page's "open alerts" tile (countOpenAlerts), so the two agree.
 */
import { sql, type SQL } from 'drizzle-orm';
import { ALERT_RULES, type AlertRule } from '../../domain/alerts';
import { childCodeLength } from '../../domain/codes';
import {
	canAcknowledgeAlerts,
	canResolveAlerts,
	canWriteNotes,
	showPhone,
	type Principal
} from '../../domain/roles';
import { rows, type Database } from '../platform/db/client';
import { epochMs, withinRegion } from '../platform/db/sql';
import type { RollupStore } from '../rollup/store';
import { reminder, whatsappLink } from '../followup/pantarlih-list';
import { breadcrumb, regionFor } from '../views/regions';

export const ALERT_STATUSES = ['active', 'open', 'acknowledged', 'resolved'] as const;
export type AlertStatusFilter = (typeof ALERT_STATUSES)[number];
export const ALERT_SORTS = ['terbaru', 'terlama'] as const;
export type AlertSort = (typeof ALERT_SORTS)[number];
/** Alerts on one page: a round of calls, and a page a phone can hold. */
export const ALERTS_PER_PAGE = 50;

export interface AlertFilters {
	rule: AlertRule | '';
	status: AlertStatusFilter;
	sort: AlertSort;
	page: number;
}

export interface AlertRow {
	id: number;
	rule: AlertRule;
	subject: string;
	label: string;
	status: 'open' | 'acknowledged' | 'resolved';
	details: Record<string, number | string>;
	openedAt: number;
	note: string | null;
	/** The Pantarlih of a TPS alert. */
	pantarlih: {
		name: string;
		phone: string;
		whatsapp: string | null;
		tel: string | null;
	} | null;
}

export interface AlertGroup {
	code: string;
	name: string;
	counts: Partial<Record<AlertRule, number>>;
	total: number;
}

const statusWhere = (status: AlertStatusFilter): SQL =>
	status === 'active' ? sql`status <> 'resolved'` : sql`status = ${status}`;

/** The filter every count and list of the page shares (and the region page's tile, for 'active'). */
function scopeWhere(code: string, filters: Pick<AlertFilters, 'rule' | 'status'>): SQL {
	return sql`${withinRegion(sql`subject_code`, code)} and ${statusWhere(filters.status)}
		${filters.rule ? sql`and rule = ${filters.rule}` : sql``}`;
}

/** Open (and acknowledged) alerts in a region: the region page's tile. */
export async function countOpenAlerts(db: Database, code: string): Promise<number> {
	const [{ n }] = await rows<{ n: number }>(
		db,
		sql`select count(*)::int as n from alerts where ${scopeWhere(code, { rule: '', status: 'active' })}`
	);
	return n;
}

export async function alertList(
	db: Database,
	store: RollupStore,
	viewer: Principal,
	code: string,
	filters: AlertFilters
) {
	const region = regionFor(store, viewer, code);
	const name = (c: string) => store.get(c)?.name ?? c;
	const groupLength = childCodeLength(code);

	const byRuleRows = await rows<{ rule: AlertRule; n: number }>(
		db,
		sql`select rule, count(*)::int as n from alerts
			where ${scopeWhere(code, { rule: '', status: filters.status })}
			group by rule`
	);
	const byRule = ALERT_RULES.map((rule) => ({
		rule,
		count: byRuleRows.find((r) => r.rule === rule)?.n ?? 0
	}));
	const total = filters.rule
		? (byRule.find((r) => r.rule === filters.rule)?.count ?? 0)
		: byRule.reduce((sum, r) => sum + r.count, 0);

	// The next level down: each child with its counts per rule; the region's own alerts apart.
	const groups: AlertGroup[] = [];
	let own = 0;
	if (groupLength) {
		const grouped = await rows<{ code: string; rule: AlertRule; n: number }>(
			db,
			sql`select left(subject_code, ${groupLength}) as code, rule, count(*)::int as n from alerts
				where ${scopeWhere(code, filters)}
				group by 1, 2`
		);
		const byCode = new Map<string, AlertGroup>();
		for (const g of grouped) {
			if (g.code.length < groupLength) {
				own += g.n;
				continue;
			}
			let group = byCode.get(g.code);
			if (!group) {
				group = { code: g.code, name: name(g.code), counts: {}, total: 0 };
				byCode.set(g.code, group);
			}
			group.counts[g.rule] = g.n;
			group.total += g.n;
		}
		groups.push(...byCode.values());
		groups.sort((a, b) => b.total - a.total || a.code.localeCompare(b.code));
	}

	const pages = Math.max(1, Math.ceil(total / ALERTS_PER_PAGE));
	const page = Math.min(filters.page, pages);
	const order =
		filters.sort === 'terlama' ? sql`opened_at asc, id asc` : sql`opened_at desc, id desc`;
	const list = await rows<{
		id: number;
		rule: AlertRule;
		subject: string;
		status: AlertRow['status'];
		details: Record<string, number | string>;
		openedAt: number;
		note: string | null;
		name: string | null;
		phone: string | null;
	}>(
		db,
		sql`select a.id, a.rule, a.subject_code as subject, a.status, a.details,
				${epochMs(sql`a.opened_at`)} as "openedAt", a.note, p.name, p.phone
			from (select * from alerts where ${scopeWhere(code, filters)}
				order by ${order} limit ${ALERTS_PER_PAGE} offset ${(page - 1) * ALERTS_PER_PAGE}) a
			left join pantarlih p on p.tps_code = a.subject_code
			order by ${order}`
	);
	const contact = canWriteNotes(viewer, code);
	const alerts: AlertRow[] = list.map((a) => {
		const tps = a.subject.length === 13;
		const village = tps ? name(a.subject.slice(0, 10)) : '';
		return {
			id: a.id,
			rule: a.rule,
			subject: a.subject,
			label: tps ? `TPS ${a.subject.slice(10)} · ${village}` : name(a.subject),
			status: a.status,
			details: a.details,
			openedAt: Number(a.openedAt),
			note: a.note,
			pantarlih:
				tps && a.name && a.phone
					? {
							name: a.name,
							phone: showPhone(viewer, a.phone),
							whatsapp: contact
								? whatsappLink(
										a.phone,
										reminder({ name: a.name, number: a.subject.slice(10), villageName: village })
									)
								: null,
							tel: contact ? `tel:${a.phone}` : null
						}
					: null
		};
	});

	return {
		region: { code: region.code, name: region.name, level: region.level },
		parents: breadcrumb(store, viewer, code),
		byRule,
		total,
		groups,
		/** Alerts about the region itself (not one of its children). */
		own,
		/** The groups are TPS (a village's alerts), not regions. */
		groupsAreTps: groupLength === 13,
		alerts,
		page,
		pages,
		canAct: canAcknowledgeAlerts(viewer, code),
		canResolve: canResolveAlerts(viewer, code),
		canContact: contact
	};
}
