/**
 * The heartbeat log's day partitions: one per recorded day (00:00 to 00:00 WIB), named
 * heartbeats_pYYYYMMDD, created ahead of time so that a day's first heartbeat never waits for one
 * (at start, which also covers days missed while the server was down, and every interval). A
 * heartbeat whose day has no partition (a phone clock far off) lands in heartbeats_default and is
 * found like any other.
 */
import { sql } from 'drizzle-orm';
import { addDays, localDate, ZONES } from '../../domain/calendar';
import { rows, type Database } from '../platform/db/client';
import { logger } from '../platform/log';
import { currentCampaign } from '../history/campaign';

/** How many days ahead of today partitions exist. */
export const DAYS_AHEAD = 7;
/** How many days back from today a missing partition is still made (backlogs of recent days). */
const DAYS_BACK = 3;

export const partitionName = (day: string) => `heartbeats_p${day.replaceAll('-', '')}`;
const bound = (day: string) => `${day} 00:00:00+07`;

/** The day partitions that exist, by day (YYYY-MM-DD). */
export async function partitionDays(db: Database): Promise<string[]> {
	const found = await rows<{ name: string }>(
		db,
		sql`select c.relname as name from pg_inherits i
			join pg_class c on c.oid = i.inhrelid
			join pg_class p on p.oid = i.inhparent
			where p.relname = 'heartbeats' and c.relname like 'heartbeats_p%'
			order by c.relname`
	);
	return found.map(
		({ name }) => `${name.slice(12, 16)}-${name.slice(16, 18)}-${name.slice(18, 20)}`
	);
}

/**
 * Makes the partitions of `days` that do not exist yet. A day whose heartbeats already sit in the
 * default partition (it had none when they came) is left there; the answer names it.
 */
export async function createPartitions(
	db: Database,
	days: readonly string[]
): Promise<{ created: string[]; leftInDefault: string[] }> {
	const existing = new Set(await partitionDays(db));
	const created: string[] = [];
	const leftInDefault: string[] = [];
	for (const day of days) {
		if (existing.has(day)) continue;
		const [{ n }] = await rows<{ n: number }>(
			db,
			sql`select count(*)::int as n from heartbeats_default
				where recorded_at >= ${bound(day)}::timestamptz and recorded_at < ${bound(addDays(day, 1))}::timestamptz`
		);
		if (n > 0) {
			leftInDefault.push(day);
			continue;
		}
		// With its own TRUNCATE refusal: statement triggers are not inherited from the parent.
		await db.transaction(async (tx) => {
			await tx.execute(
				sql.raw(
					`create table if not exists ${partitionName(day)} partition of heartbeats
					for values from ('${bound(day)}') to ('${bound(addDays(day, 1))}')`
				)
			);
			await tx.execute(
				sql.raw(
					`create or replace trigger heartbeats_no_truncate before truncate on ${partitionName(day)}
					for each statement execute function heartbeat_log_is_append_only()`
				)
			);
		});
		created.push(day);
	}
	return { created, leftInDefault };
}

/** The days that should have a partition at `now`: the campaign's, and a few around today. */
export function wantedDays(
	now: number,
	campaign: { firstDay: string; lastDay: string } | null
): string[] {
	const today = localDate(new Date(now), ZONES.WIB);
	let first = addDays(today, -DAYS_BACK);
	let last = addDays(today, DAYS_AHEAD);
	if (campaign) {
		if (addDays(campaign.firstDay, -1) < first && campaign.lastDay >= first)
			first = addDays(campaign.firstDay, -1);
		if (addDays(campaign.lastDay, 1) > last && campaign.firstDay <= last)
			last = addDays(campaign.lastDay, 1);
	}
	const days: string[] = [];
	for (let day = first; day <= last; day = addDays(day, 1)) days.push(day);
	return days;
}

/**
 * The partitions wanted at `now` (the campaign's days and a week ahead, also after a night the
 * server was down), made before the first heartbeat can need one, at start and every interval.
 */
export async function keepPartitions(
	db: Database,
	now: number,
	log: (line: string) => void
): Promise<void> {
	const { created, leftInDefault } = await createPartitions(
		db,
		wantedDays(now, await currentCampaign(db))
	);
	if (created.length > 0) log(`[log] heartbeat partitions made for ${created.join(', ')}`);
	if (leftInDefault.length > 0)
		logger().warn(
			`[log] ${leftInDefault.join(', ')} keep their heartbeats in the default partition (they came before a partition existed)`
		);
}
