import { bigint, integer, pgTable, text } from './columns';
import { regions } from './geography';

/**
 * Roll-up per region (nation down to village): kept exact incrementally by ingestion and rebuilt
 * from the TPS table at start-up. `version` grows by one per change of the region.
 */
export const regionProgress = pgTable('region_progress', {
	code: text('code')
		.primaryKey()
		.references(() => regions.code),
	tps: integer('tps').notNull().default(0),
	target: bigint('target', { mode: 'number' }).notNull().default(0),
	verified: bigint('verified', { mode: 'number' }).notNull().default(0),
	tpsSynced: integer('tps_synced').notNull().default(0),
	tpsComplete: integer('tps_complete').notNull().default(0),
	version: bigint('version', { mode: 'number' }).notNull().default(0)
});

export type RegionProgress = typeof regionProgress.$inferSelect;
