/**
 * The activity index (domain/activity.ts): loaded from the TPS table, one province at a time, then
 * kept by the event bus (each commit's touched TPS, each import's new targets, from this process
 * or another).
 */
import { sql } from 'drizzle-orm';
import { ActivityIndex, type TpsActivity } from '../../domain/activity';
import { rows, type Database } from '../platform/db/client';
import { epochMs, withinRegion } from '../platform/db/sql';
import type { EventBus } from '../platform/events';

export function followActivity(bus: EventBus, activity: ActivityIndex): void {
	bus.on('commit', (e) => {
		for (const t of e.touched) activity.record(t.code, t, e.at);
	});
	bus.on('roster', (e) => {
		for (const t of e.targets) activity.setTarget(t.tps, t.target);
	});
}

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
