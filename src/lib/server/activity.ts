/** Loads the activity index (domain/activity.ts) from the TPS table, one province at a time. */
import { sql } from 'drizzle-orm';
import { ActivityIndex, type TpsActivity } from '../domain/activity';
import { rows, type Database } from './db/client';
import { epochMs, withinRegion } from './db/sql';

export async function loadActivity(db: Database): Promise<ActivityIndex> {
	const provinces = await rows<{ code: string }>(
		db,
		sql`select code from regions where level = 'province' order by code`
	);
	const all: TpsActivity[] = [];
	for (const { code } of provinces) {
		const list = await rows<TpsActivity>(
			db,
			sql`select code, target, verified, pending, ${epochMs(sql`first_sync_at`)} as "firstSyncAt",
				${epochMs(sql`last_sync_at`)} as "lastSyncAt", ${epochMs(sql`progress_at`)} as "progressAt",
				${epochMs(sql`pending_since`)} as "pendingSince"
			from tps where ${withinRegion(sql`code`, code)} order by code`
		);
		for (const row of list) all.push(row);
	}
	return new ActivityIndex(all);
}
