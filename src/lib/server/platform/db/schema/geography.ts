import {
	type AnyPgColumn,
	boolean,
	doublePrecision,
	index,
	integer,
	pgEnum,
	pgTable,
	smallint,
	text,
	timestamptz,
	uuid
} from './columns';
import { REGION_LEVELS } from '../../../../domain/codes';

export const regionLevel = pgEnum('region_level', REGION_LEVELS);

/** The nation (`id`), provinces, regencies, districts and villages, by KPU/Kemendagri code. */
export const regions = pgTable(
	'regions',
	{
		code: text('code').primaryKey(),
		level: regionLevel('level').notNull(),
		name: text('name').notNull(),
		parentCode: text('parent_code').references((): AnyPgColumn => regions.code)
	},
	(table) => [index('regions_parent_code_idx').on(table.parentCode)]
);

/**
 * A polling station: 10-digit village code + 3-digit number; `target` = voters to verify.
 * Its progress is the winning heartbeat's counts (see domain/coverage.ts); every TPS has its row
 * from the start, so the ingest path can lock it even before the first sync.
 */
export const tps = pgTable(
	'tps',
	{
		code: text('code').primaryKey(),
		villageCode: text('village_code')
			.notNull()
			.references(() => regions.code),
		number: smallint('number').notNull(),
		target: integer('target').notNull(),
		simulated: boolean('simulated').notNull().default(false),
		verified: integer('verified').notNull().default(0),
		tms: integer('tms').notNull().default(0),
		newVoters: integer('new_voters').notNull().default(0),
		pending: integer('pending').notNull().default(0),
		/** The phone's clock of the winning snapshot. */
		recordedAt: timestamptz('recorded_at'),
		heartbeatId: uuid('heartbeat_id'),
		/** Server receive time of the first and the latest heartbeat, whatever their content. */
		firstSyncAt: timestamptz('first_sync_at'),
		lastSyncAt: timestamptz('last_sync_at'),
		/** Server time `verified` last went up (stalled TPS, the `macet` sync state). */
		progressAt: timestamptz('progress_at'),
		/** Server time `pending` last went from 0 to above 0; null while it is 0 (stuck records). */
		pendingSince: timestamptz('pending_since'),
		app: text('app'),
		lat: doublePrecision('lat'),
		lng: doublePrecision('lng')
	},
	(table) => [index('tps_village_code_idx').on(table.villageCode)]
);

/** The field officer of one TPS. */
export const pantarlih = pgTable('pantarlih', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: text('name').notNull(),
	phone: text('phone').notNull().unique(),
	tpsCode: text('tps_code')
		.notNull()
		.unique()
		.references(() => tps.code),
	simulated: boolean('simulated').notNull().default(false)
});

/** Which provinces the seed has loaded completely; a province without a row is reloaded. */
export const seededProvinces = pgTable('seeded_provinces', {
	provinceCode: text('province_code').primaryKey(),
	tps: integer('tps').notNull(),
	seededAt: timestamptz('seeded_at').notNull().defaultNow()
});

export type Region = typeof regions.$inferSelect;
export type Tps = typeof tps.$inferSelect;
export type Pantarlih = typeof pantarlih.$inferSelect;
