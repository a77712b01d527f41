import { sql } from 'drizzle-orm';
import {
	check,
	date,
	doublePrecision,
	index,
	integer,
	pgTable,
	primaryKey,
	real,
	text,
	timestamptz,
	uuid,
	appNow
} from './columns';
import { pantarlih } from './geography';

/** A phone's credential: random, stored only as a SHA-256 hash, bound to one Pantarlih and TPS. */
export const deviceTokens = pgTable(
	'device_tokens',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		tokenHash: text('token_hash').notNull().unique(),
		pantarlihId: integer('pantarlih_id')
			.notNull()
			.references(() => pantarlih.id),
		tpsCode: text('tps_code').notNull(),
		createdAt: timestamptz('created_at').notNull().default(appNow),
		revokedAt: timestamptz('revoked_at'),
		/** Updated with each committed batch: the Pantarlih's last sync. */
		lastUsedAt: timestamptz('last_used_at')
	},
	(table) => [index('device_tokens_pantarlih_id_idx').on(table.pantarlihId)]
);

/**
 * Every accepted heartbeat, as received: the evidence for Bawaslu, append-only (the database
 * refuses UPDATE and DELETE). Partitioned by the phone's recorded day (one partition per day, at
 * 00:00 WIB, created ahead of time by the server, evidence/partitions.ts; anything without a
 * partition of its own lands in the default one). The key is the phone's UUID with its recorded
 * time: a re-sent heartbeat carries both unchanged, so it is stored once, whenever it comes back.
 */
export const heartbeats = pgTable(
	'heartbeats',
	{
		id: uuid('id').notNull(),
		tpsCode: text('tps_code').notNull(),
		pantarlihId: integer('pantarlih_id').notNull(),
		deviceTokenId: integer('device_token_id').notNull(),
		verified: integer('verified').notNull(),
		tms: integer('tms').notNull(),
		newVoters: integer('new_voters').notNull(),
		pending: integer('pending').notNull(),
		recordedAt: timestamptz('recorded_at').notNull(),
		receivedAt: timestamptz('received_at').notNull(),
		app: text('app'),
		battery: real('battery'),
		lat: doublePrecision('lat'),
		lng: doublePrecision('lng')
	},
	(table) => [
		// Time first: new heartbeats land at the index's right edge, not all over a random-UUID index.
		primaryKey({ columns: [table.recordedAt, table.id] }),
		index('heartbeats_tps_idx').on(table.tpsCode, table.receivedAt, table.id),
		index('heartbeats_received_idx').using('brin', table.receivedAt)
	]
);

/**
 * Data-quality flags written after a heartbeat's commit (a decrease, a count above the target):
 * beside the log, not in it, so the log itself never changes. Append-only too.
 */
export const heartbeatFlags = pgTable(
	'heartbeat_flags',
	{
		heartbeatId: uuid('heartbeat_id').notNull(),
		recordedAt: timestamptz('recorded_at').notNull(),
		flags: text('flags').notNull(),
		flaggedAt: timestamptz('flagged_at').notNull()
	},
	(table) => [index('heartbeat_flags_heartbeat_id_idx').on(table.heartbeatId)]
);

/** Each time an already stored heartbeat came again (a phone's retry): when, from which token. */
export const heartbeatResends = pgTable(
	'heartbeat_resends',
	{
		heartbeatId: uuid('heartbeat_id').notNull(),
		receivedAt: timestamptz('received_at').notNull(),
		deviceTokenId: integer('device_token_id').notNull()
	},
	(table) => [index('heartbeat_resends_heartbeat_id_idx').on(table.heartbeatId)]
);

/**
 * Closed days of the log moved out of the database into compressed files (`log:archive`), and
 * put back (`log:restore`): which day, how many rows, the SHA-256 of the archive's lines, the
 * file, who and when. Append-only, as the log itself.
 */
export const logArchives = pgTable(
	'log_archives',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		day: date('day', { mode: 'string' }).notNull(),
		action: text('action', { enum: ['archive', 'restore'] }).notNull(),
		rows: integer('rows').notNull(),
		sha256: text('sha256').notNull(),
		file: text('file').notNull(),
		actor: text('actor').notNull(),
		at: timestamptz('at').notNull().default(appNow)
	},
	(table) => [check('log_archives_action', sql`${table.action} in ('archive', 'restore')`)]
);

/** Server-wide secrets made once (the chronology's cursor key), shared by every process. */
export const serverSecrets = pgTable('server_secrets', {
	name: text('name').primaryKey(),
	value: text('value').notNull()
});

export type DeviceToken = typeof deviceTokens.$inferSelect;
export type Heartbeat = typeof heartbeats.$inferSelect;
