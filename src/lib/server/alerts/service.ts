/**
 * Alerts: the pure rules (domain/alerts.ts) run on a schedule over every region and every phone,
 * and on ingestion for data quality. One open alert per rule and subject (a partial unique index
 * makes that hold across processes too); self-clearing rules resolve when the condition is gone;
 * people acknowledge with a note or resolve by hand. Changes are pushed live (`alert`) and, with
 * ALERT_WEBHOOK_URL, forwarded to a webhook that never holds up ingestion.
 */
import { and, eq, inArray, ne, sql } from 'drizzle-orm';
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
import type { AlertEvent } from '../../protocol/live';
import { audit } from '../auth/audit';
import type { Plan } from '../campaign';
import { rows, type Database } from '../db/client';
import { alerts } from '../db/schema';
import type { BatchResult } from '../ingest/commit';
import type { RollupStore } from '../rollup/store';

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
	/** Where changes go: live push, webhook. */
	onChange: (events: AlertEvent[]) => void;
}

export class AlertError extends Error {
	override name = 'AlertError';
	constructor(
		readonly status: number,
		message: string
	) {
		super(message);
	}
}

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

	/** The conditions of the scheduled rules at `now`. */
	conditions(now: number): Condition[] {
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
				plan.shareOn(region.code, date),
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
	evaluate(): Promise<{ opened: number; resolved: number }> {
		const run = this.running.then(() => this.evaluateNow());
		this.running = run.catch(() => {});
		return run;
	}

	private async evaluateNow(): Promise<{ opened: number; resolved: number }> {
		const now = this.deps.now();
		const { toOpen, toResolve } = reconcile(this.open, this.conditions(now), SCHEDULED);
		const opened = await this.insert(toOpen, now);
		const resolved = await this.resolveCleared(toResolve, now);
		const at = new Date(now).toISOString();
		this.deps.onChange([
			...opened.map((a) => ({ ...a, subject: a.subjectCode, status: 'open' as const, at })),
			...resolved.map((a) => ({ ...a, subject: a.subjectCode, status: 'resolved' as const, at }))
		]);
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
		const opened = await this.insert(found, result.receivedAt);
		const at = new Date(result.receivedAt).toISOString();
		this.deps.onChange(
			opened.map((a) => ({ ...a, subject: a.subjectCode, status: 'open' as const, at }))
		);
	}

	private async insert(conditions: Condition[], now: number): Promise<Opened[]> {
		const opened: Opened[] = [];
		const at = new Date(now).toISOString();
		for (let i = 0; i < conditions.length; i += CHUNK) {
			const chunk = conditions.slice(i, i + CHUNK).map((c) => ({
				rule: c.rule,
				subject: c.subject,
				details: c.details
			}));
			const inserted = await rows<Opened>(
				this.deps.db,
				sql`insert into alerts (rule, subject_code, details, opened_at, last_seen_at)
					select x.rule, x.subject, x.details, ${at}::timestamptz, ${at}::timestamptz
					from json_to_recordset(${JSON.stringify(chunk)}::json) as x(rule text, subject text, details jsonb)
					on conflict (rule, subject_code) where status <> 'resolved' do nothing
					returning id, rule, subject_code as "subjectCode", details`
			);
			for (const a of inserted) {
				this.open.set(alertKey(a.rule, a.subjectCode), a.id);
				opened.push(a);
			}
		}
		return opened;
	}

	private async resolveCleared(ids: number[], now: number): Promise<Opened[]> {
		const resolved: Opened[] = [];
		for (let i = 0; i < ids.length; i += CHUNK) {
			const list = await this.deps.db
				.update(alerts)
				.set({ status: 'resolved', resolvedAt: new Date(now) })
				.where(and(inArray(alerts.id, ids.slice(i, i + CHUNK)), ne(alerts.status, 'resolved')))
				.returning({
					id: alerts.id,
					rule: alerts.rule,
					subjectCode: alerts.subjectCode,
					details: alerts.details
				});
			for (const a of list) {
				this.open.delete(alertKey(a.rule, a.subjectCode));
				resolved.push(a);
			}
		}
		return resolved;
	}

	/**
	 * A person acknowledges (with a note) or resolves an alert. Both are in the audit log.
	 * `canSee` decides whether the alert's subject is in the person's scope.
	 */
	async act(
		id: number,
		action: 'acknowledge' | 'resolve',
		who: { id: number; email: string },
		note: string,
		canSee: (subject: string) => boolean
	): Promise<void> {
		const [alert] = await this.deps.db.select().from(alerts).where(eq(alerts.id, id));
		if (!alert || !canSee(alert.subjectCode)) throw new AlertError(404, `alert ${id} not found`);
		if (alert.status === 'resolved') throw new AlertError(409, `alert ${id} is already resolved`);
		const trimmed = note.trim();
		if (action === 'acknowledge' && trimmed.length === 0)
			throw new AlertError(400, 'write a note saying what is being done');
		if (trimmed.length > 500) throw new AlertError(400, 'the note is longer than 500 characters');
		const now = new Date(this.deps.now());
		const change =
			action === 'acknowledge'
				? {
						status: 'acknowledged' as const,
						acknowledgedAt: now,
						acknowledgedBy: who.id,
						note: trimmed
					}
				: {
						status: 'resolved' as const,
						resolvedAt: now,
						resolvedBy: who.id,
						note: trimmed || alert.note
					};
		await this.deps.db.update(alerts).set(change).where(eq(alerts.id, id));
		if (change.status === 'resolved') this.open.delete(alertKey(alert.rule, alert.subjectCode));
		await audit(this.deps.db, {
			userId: who.id,
			actor: who.email,
			action: `alert.${action}`,
			subject: `${alert.rule} ${alert.subjectCode}`,
			before: { status: alert.status, note: alert.note },
			after: { status: change.status, note: change.note }
		});
		this.deps.onChange([
			{
				id,
				rule: alert.rule,
				subject: alert.subjectCode,
				status: change.status,
				details: alert.details,
				at: now.toISOString()
			}
		]);
	}
}
