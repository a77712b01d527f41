/**
 * Alerts: the pure rules (domain/alerts.ts) run on a schedule over every region and every phone,
 * and on ingestion for data quality. One open alert per rule and subject (a partial unique index
 * makes that hold across processes too); self-clearing rules resolve when the condition is gone;
 * people acknowledge with a note or resolve by hand (`act`, a verb: rights, one transaction, its
 * audit entry). Every change is announced (`alerts` on the event bus: live push) and, with
 * ALERT_WEBHOOK_URL, written to the webhook outbox in the same statement or transaction as the
 * change itself (alerts/webhook.ts delivers it).
 */
import { eq, ne, sql } from 'drizzle-orm';
import type { ActivityIndex } from '../../domain/activity';
import {
	SELF_CLEARING,
	alertKey,
	behindTarget,
	phoneConditions,
	qualityCondition,
	reconcile,
	type AlertRule,
	type Condition
} from '../../domain/alerts';
import { NATION_CODE, type RegionLevel } from '../../domain/codes';
import { campaignDay, localDate, zoneOf } from '../../domain/calendar';
import { AppError, ensure } from '../../domain/errors';
import { canAcknowledgeAlerts, canResolveAlerts, canView } from '../../domain/roles';
import type { AlertEvent } from '../../protocol/live';
import { audit } from '../audit/record';
import type { Plan } from '../history/campaign';
import { rows, type Database } from '../platform/db/client';
import { alerts, webhookOutbox } from '../platform/db/schema';
import type { EventBus } from '../platform/events';
import type { BatchResult } from '../platform/events';
import { describe, logger } from '../platform/log';
import type { RollupStore } from '../rollup/store';
import type { Actor } from '../accounts/actor';

const CHUNK = 2_000;
/** Behind-target alerts are raised down to districts; villages are too many to chase one by one. */
const WATCHED_LEVELS: readonly RegionLevel[] = ['nation', 'province', 'regency', 'district'];
const SCHEDULED: readonly AlertRule[] = SELF_CLEARING;

export interface AlertDeps {
	db: Database;
	store: RollupStore;
	activity: ActivityIndex;
	plan: () => Plan;
	now: () => number;
	/** Where changes are announced (`alerts`). */
	bus: EventBus;
	/** Whether changes are also queued for the webhook (ALERT_WEBHOOK_URL is set). */
	outbox: boolean;
}

export const MAX_ALERT_NOTE = 500;

interface Opened {
	id: number;
	rule: AlertRule;
	subjectCode: string;
	details: Record<string, number | string>;
}

export class AlertService {
	/** Open and acknowledged alerts, by rule:subject. */
	private open = new Map<string, number>();
	private running: Promise<unknown> = Promise.resolve();

	constructor(private deps: AlertDeps) {}

	/** Data-quality rules on every commit made in this process (after its requests were answered). */
	listen(bus: EventBus): void {
		bus.on('commit', ({ result }) => {
			if (result)
				this.afterCommit(result).catch((error) =>
					logger().error(`[alerts] data-quality check failed: ${describe(error)}`)
				);
		});
	}

	async load(): Promise<void> {
		const list = await this.deps.db
			.select({ id: alerts.id, rule: alerts.rule, subject: alerts.subjectCode })
			.from(alerts)
			.where(ne(alerts.status, 'resolved'));
		this.open = new Map(list.map((a) => [alertKey(a.rule, a.subject), a.id]));
	}

	get openCount(): number {
		return this.open.size;
	}

	/** Open and acknowledged alerts per rule. */
	openByRule(): Map<string, number> {
		const counts = new Map<string, number>();
		for (const key of this.open.keys()) {
			const rule = key.slice(0, key.indexOf(':'));
			counts.set(rule, (counts.get(rule) ?? 0) + 1);
		}
		return counts;
	}

	/**
	 * The conditions of the scheduled rules at `now`. A province at a time, giving the event loop
	 * back between them: with 800,000 phones to look at, one pass kept sign-in and every page
	 * waiting for seconds.
	 */
	async conditions(now: number): Promise<Condition[]> {
		const { store, activity } = this.deps;
		const plan = this.deps.plan();
		const settings = plan.settings;
		const found: Condition[] = [];
		if (!plan.campaign) return found;
		for (const region of store.all()) {
			if (!WATCHED_LEVELS.includes(region.level)) continue;
			const zone = zoneOf(region.code);
			const date = localDate(new Date(now), zone);
			if (date < plan.campaign.firstDay) continue;
			const hour = (((now / 3_600_000 + zone.utcOffset) % 24) + 24) % 24;
			const condition = behindTarget(
				region,
				plan.shareAt(region.code, now),
				hour,
				this.open.has(alertKey('behind_target', region.code)),
				settings
			);
			if (condition) found.push(condition);
		}
		// Phones: the campaign day on each province's own calendar.
		for (const province of store.children(NATION_CODE)) {
			const day = campaignDay(plan.campaign, localDate(new Date(now), zoneOf(province.code)));
			if (day < 1) continue;
			await new Promise((resolve) => setImmediate(resolve));
			const [from, to] = activity.range(province.code);
			const neverCounts = day > settings.neverAfterDay;
			for (let i = from; i < to; i++) {
				if (!activity.mayAlert(i, now, settings, neverCounts)) continue;
				for (const condition of phoneConditions(activity.row(i), now, day, settings))
					found.push(condition);
			}
		}
		return found;
	}

	/** Runs the scheduled rules once: opens new alerts, resolves cleared ones. Serialised. */
	/** The scheduled run of the rules, with a line saying what it changed and how long it took. */
	async runRules(log: (line: string) => void): Promise<void> {
		const ran = performance.now();
		const { opened, resolved } = await this.evaluate();
		if (opened + resolved > 0)
			log(
				`[alerts] ${opened} opened, ${resolved} resolved, ${this.openCount} open (rules ran in ${Math.round(performance.now() - ran)} ms)`
			);
	}

	evaluate(): Promise<{ opened: number; resolved: number }> {
		const run = this.running.then(() => this.evaluateNow());
		this.running = run.catch(() => {});
		return run;
	}

	private async evaluateNow(): Promise<{ opened: number; resolved: number }> {
		const now = this.deps.now();
		const { toOpen, toResolve } = reconcile(this.open, await this.conditions(now), SCHEDULED);
		const opened = await this.insert(toOpen, now);
		const resolved = await this.resolveCleared(toResolve, now);
		this.deps.bus.emit('alerts', [...opened, ...resolved]);
		return { opened: opened.length, resolved: resolved.length };
	}

	/** Data quality, from a committed batch; runs after the requests were answered. */
	async afterCommit(result: BatchResult): Promise<void> {
		const settings = this.deps.plan().settings;
		const found: Condition[] = [];
		for (const outcome of result.tps) {
			const flags = [...outcome.anomalies.values()].flat();
			const condition = qualityCondition(outcome.before, outcome.after, flags, settings);
			if (condition && !this.open.has(alertKey(condition.rule, condition.subject)))
				found.push(condition);
		}
		if (found.length === 0) return;
		this.deps.bus.emit('alerts', await this.insert(found, result.receivedAt));
	}

	/**
	 * The statement's tail that queues the changes it returns (`changed`, with the columns of an
	 * AlertEvent) for the webhook, when one is configured: the change and its delivery commit
	 * together.
	 */
	private queued(status: AlertEvent['status'], at: string) {
		return this.deps.outbox
			? sql`, queued as (insert into webhook_outbox (event)
					select json_build_object('id', id, 'rule', rule, 'subject', "subjectCode",
						'status', ${status}::text, 'details', details, 'at', ${at}::text)
					from changed)`
			: sql``;
	}

	private async insert(conditions: Condition[], now: number): Promise<AlertEvent[]> {
		const opened: AlertEvent[] = [];
		const at = new Date(now).toISOString();
		for (let i = 0; i < conditions.length; i += CHUNK) {
			const chunk = conditions.slice(i, i + CHUNK).map((c) => ({
				rule: c.rule,
				subject: c.subject,
				details: c.details
			}));
			const inserted = await rows<Opened>(
				this.deps.db,
				sql`with changed as (insert into alerts (rule, subject_code, details, opened_at, last_seen_at)
					select x.rule, x.subject, x.details, ${at}::timestamptz, ${at}::timestamptz
					from json_to_recordset(${JSON.stringify(chunk)}::json) as x(rule text, subject text, details jsonb)
					on conflict (rule, subject_code) where status <> 'resolved' do nothing
					returning id, rule, subject_code as "subjectCode", details)
					${this.queued('open', at)}
					select * from changed`
			);
			for (const a of inserted) {
				this.open.set(alertKey(a.rule, a.subjectCode), a.id);
				opened.push(event(a, 'open', at));
			}
		}
		return opened;
	}

	private async resolveCleared(ids: number[], now: number): Promise<AlertEvent[]> {
		const resolved: AlertEvent[] = [];
		const at = new Date(now).toISOString();
		for (let i = 0; i < ids.length; i += CHUNK) {
			const list = await rows<Opened>(
				this.deps.db,
				sql`with changed as (update alerts set status = 'resolved', resolved_at = ${at}::timestamptz
					where id in (select json_array_elements_text(${JSON.stringify(ids.slice(i, i + CHUNK))}::json)::int)
						and status <> 'resolved'
					returning id, rule, subject_code as "subjectCode", details)
					${this.queued('resolved', at)}
					select * from changed`
			);
			for (const a of list) {
				this.open.delete(alertKey(a.rule, a.subjectCode));
				resolved.push(event(a, 'resolved', at));
			}
		}
		return resolved;
	}

	/**
	 * A person acknowledges (with a note saying what is being done) or resolves an alert: coordinators,
	 * leaders and admins acknowledge within their region, coordinators and admins resolve. The
	 * change, its audit entry and its webhook delivery in one transaction.
	 */
	async act(
		actor: Actor,
		id: number,
		action: 'acknowledge' | 'resolve',
		note: string
	): Promise<AlertEvent> {
		const trimmed = note.trim();
		if (action === 'acknowledge' && trimmed.length === 0) throw new AppError('noteRequired');
		if (trimmed.length > MAX_ALERT_NOTE) throw new AppError('noteTooLong', { max: MAX_ALERT_NOTE });
		const now = new Date(this.deps.now());
		const changed = await this.deps.db.transaction(async (tx) => {
			const [alert] = await tx.select().from(alerts).where(eq(alerts.id, id)).for('update');
			// Outside the actor's region it does not exist for them.
			if (!alert || !canView(actor, alert.subjectCode)) throw new AppError('alertNotFound', { id });
			ensure(canAcknowledgeAlerts(actor, alert.subjectCode), 'alertsForbidden');
			if (action === 'resolve')
				ensure(canResolveAlerts(actor, alert.subjectCode), 'resolveForbidden');
			if (alert.status === 'resolved') throw new AppError('alertResolved', { id });
			const change =
				action === 'acknowledge'
					? {
							status: 'acknowledged' as const,
							acknowledgedAt: now,
							acknowledgedBy: actor.userId,
							note: trimmed
						}
					: {
							status: 'resolved' as const,
							resolvedAt: now,
							resolvedBy: actor.userId,
							note: trimmed || alert.note
						};
			await tx.update(alerts).set(change).where(eq(alerts.id, id));
			await audit(tx, actor, {
				action: `alert.${action}`,
				subject: `${alert.rule} ${alert.subjectCode}`,
				region: alert.subjectCode,
				before: { status: alert.status, note: alert.note },
				after: { status: change.status, note: change.note }
			});
			const happened = event(
				{ id, rule: alert.rule, subjectCode: alert.subjectCode, details: alert.details },
				change.status,
				now.toISOString()
			);
			if (this.deps.outbox) await tx.insert(webhookOutbox).values({ event: happened });
			return happened;
		});
		if (changed.status === 'resolved') this.open.delete(alertKey(changed.rule, changed.subject));
		this.deps.bus.emit('alerts', [changed]);
		return changed;
	}
}

const event = (a: Opened, status: AlertEvent['status'], at: string): AlertEvent => ({
	id: a.id,
	rule: a.rule,
	subject: a.subjectCode,
	status,
	details: a.details,
	at
});
