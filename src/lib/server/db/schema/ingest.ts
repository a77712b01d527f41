import { doublePrecision, index, integer, pgTable, real, text, timestamptz, uuid } from './columns';
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
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		revokedAt: timestamptz('revoked_at'),
		/** Updated with each committed batch: the Pantarlih's last sync. */
		lastUsedAt: timestamptz('last_used_at')
	},
	(table) => [index('device_tokens_pantarlih_id_idx').on(table.pantarlihId)]
);

/**
 * Every accepted heartbeat, as received: the evidence for Bawaslu. The phone's UUID is the key,
 * so a retried sync is stored once. `anomaly` flags data-quality problems (decrease,
 * above_target) without rejecting the data.
 */
export const heartbeats = pgTable(
	'heartbeats',
	{
		id: uuid('id').primaryKey(),
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
		lng: doublePrecision('lng'),
		anomaly: text('anomaly')
	},
	(table) => [index('heartbeats_tps_code_received_at_idx').on(table.tpsCode, table.receivedAt)]
);

export type DeviceToken = typeof deviceTokens.$inferSelect;
export type Heartbeat = typeof heartbeats.$inferSelect;
