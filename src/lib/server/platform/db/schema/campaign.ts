import { sql } from 'drizzle-orm';
import {
	boolean,
	date,
	doublePrecision,
	index,
	integer,
	jsonb,
	pgTable,
	smallint,
	text,
	timestamptz,
	uniqueIndex,
	appNow
} from './columns';
import type { CurvePoint } from '../../../../domain/target-curve';
import type { TpsGap } from '../../../../domain/report';
import { ALERT_RULES } from '../../../../domain/alerts';
import { regions } from './geography';

/** A coklit period: the first and last day (local dates) of house-to-house checking. */
export const campaigns = pgTable('campaigns', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: text('name').notNull(),
	firstDay: date('first_day', { mode: 'string' }).notNull(),
	lastDay: date('last_day', { mode: 'string' }).notNull(),
	simulated: boolean('simulated').notNull().default(false),
	/** The cumulative target curve: empty = linear to 100% on the last day. */
	points: jsonb('points').$type<CurvePoint[]>().notNull().default([]),
	createdAt: timestamptz('created_at').notNull().default(appNow)
});

export type Campaign = typeof campaigns.$inferSelect;

/**
 * The demo's compressed clock (CLOCK_SPEED above 1, DEMO=1 only): the simulated time reached,
 * saved every few seconds, so that a restarted demo resumes where it stopped.
 */
export const demoClock = pgTable('demo_clock', {
	id: smallint('id').primaryKey(),
	simulatedAt: timestamptz('simulated_at').notNull(),
	speed: doublePrecision('speed').notNull(),
	savedAt: timestamptz('saved_at').notNull().defaultNow()
});

/** A province's or regency's own target curve, replacing the campaign's for it and below. */
export const curveOverrides = pgTable('curve_overrides', {
	regionCode: text('region_code')
		.primaryKey()
		.references(() => regions.code),
	points: jsonb('points').$type<CurvePoint[]>().notNull(),
	updatedAt: timestamptz('updated_at').notNull().default(appNow)
});

/**
 * A region's numbers frozen at the end of a local day. Rows are never changed (a trigger refuses
 * UPDATE and DELETE): a correction is a new row naming the one it corrects.
 */
export const dailySnapshots = pgTable(
	'daily_snapshots',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		regionCode: text('region_code').notNull(),
		/** The region's local date the numbers close. */
		date: date('date', { mode: 'string' }).notNull(),
		verified: integer('verified').notNull(),
		target: integer('target').notNull(),
		tps: integer('tps').notNull(),
		tpsSynced: integer('tps_synced').notNull(),
		tpsSyncedToday: integer('tps_synced_today').notNull(),
		tpsComplete: integer('tps_complete').notNull(),
		silentPantarlih: integer('silent_pantarlih').notNull(),
		/** The day's cumulative target share (0..1). */
		targetShare: doublePrecision('target_share').notNull(),
		/** Pantarlih per sync state (domain/activity.ts SYNC_STATES order); null before 0007. */
		syncStates: integer('sync_states').array(),
		/** The TPS furthest behind the day's target (domain/report.ts), district level and up. */
		largestGaps: jsonb('largest_gaps').$type<TpsGap[]>(),
		/** Heartbeats received that local day in the region (null before 0010). */
		heartbeats: integer('heartbeats'),
		/** SHA-256 (hex) over them, as the README's "Evidence" defines it (null before 0010). */
		digest: text('digest'),
		takenAt: timestamptz('taken_at').notNull(),
		correctsId: integer('corrects_id'),
		reason: text('reason')
	},
	(table) => [
		index('daily_snapshots_region_date_idx').on(table.regionCode, table.date),
		uniqueIndex('daily_snapshots_original_idx')
			.on(table.regionCode, table.date)
			.where(sql`corrects_id is null`)
	]
);

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;

/** One alert per rule and subject (a region or a TPS) while it is not resolved. */
export const alerts = pgTable(
	'alerts',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		rule: text('rule', { enum: ALERT_RULES }).notNull(),
		/** A region code (behind target) or a TPS code (the others). */
		subjectCode: text('subject_code').notNull(),
		status: text('status', { enum: ALERT_STATUSES }).notNull().default('open'),
		/** What the rule saw, for the message (numbers, thresholds). */
		details: jsonb('details').$type<Record<string, number | string>>().notNull(),
		openedAt: timestamptz('opened_at').notNull(),
		lastSeenAt: timestamptz('last_seen_at').notNull(),
		acknowledgedAt: timestamptz('acknowledged_at'),
		acknowledgedBy: integer('acknowledged_by'),
		note: text('note'),
		resolvedAt: timestamptz('resolved_at'),
		/** Who resolved it by hand; null when the condition cleared by itself. */
		resolvedBy: integer('resolved_by')
	},
	(table) => [
		uniqueIndex('alerts_one_open_idx')
			.on(table.rule, table.subjectCode)
			.where(sql`status <> 'resolved'`),
		index('alerts_subject_idx').on(table.subjectCode),
		// Counting a region's open alerts, per rule and per child region, reads only this index
		// (most alerts, once resolved, are history; 800,000 may be open).
		index('alerts_open_subject_rule_idx')
			.on(table.subjectCode, table.rule)
			.where(sql`status <> 'resolved'`),
		// The alerts page's newest (or oldest) first, a page at a time.
		index('alerts_open_opened_idx')
			.on(table.openedAt, table.id)
			.where(sql`status <> 'resolved'`),
		index('alerts_status_idx').on(table.status)
	]
);

/** The alert thresholds an admin may change (one row). */
export const alertSettings = pgTable('alert_settings', {
	id: smallint('id').primaryKey(),
	settings: jsonb('settings').$type<Record<string, number>>().notNull(),
	updatedAt: timestamptz('updated_at').notNull().default(appNow),
	updatedBy: integer('updated_by')
});

export type DailySnapshot = typeof dailySnapshots.$inferSelect;
export type Alert = typeof alerts.$inferSelect;
