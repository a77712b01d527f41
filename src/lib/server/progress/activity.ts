/** Loads the activity index (domain/activity.ts) from the TPS table, one province at a time. */
import { sql } from 'drizzle-orm';
import { ActivityIndex, type TpsActivity } from '../../domain/activity';
import { rows, type Database } from '../db/client';

const ms = (column: string) => sql.raw(`(extract(epoch from ${column}) * 1000)::float8`);

export async function loadActivity(db: Database): Promise<ActivityIndex> {
	const provinces = await rows<{ code: string }>(
		db,
		sql`select code from regions where level = 'province' order by code`
	);
	const all: TpsActivity[] = [];
	for (const { code } of provinces) {
		const list = await rows<TpsActivity>(
			db,
			sql`select code, target, verified, pending, ${ms('first_sync_at')} as "firstSyncAt",
				${ms('last_sync_at')} as "lastSyncAt", ${ms('progress_at')} as "progressAt",
				${ms('pending_since')} as "pendingSince"
			from tps where code >= ${code} and code < ${String(Number(code) + 1)} order by code`
		);
		for (const row of list) all.push(row);
	}
	return new ActivityIndex(all);
}
