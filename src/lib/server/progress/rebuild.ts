/**
 * Full recount of every region's roll-up from the TPS table, grouped once by village and then
 * summed upwards (83,731 village rows, not 820,161 TPS rows per level). Run at start-up, after
 * seeding and by tests as the reference; `version` moves only for regions whose numbers changed.
 * The definitions match domain/coverage.ts `contribution()`.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';

export async function rebuildRollups(db: Database): Promise<void> {
	await db.execute(sql`
		with village as (
			select village_code as code,
				count(*)::int as tps,
				sum(target)::bigint as target,
				sum(verified)::bigint as verified,
				count(recorded_at)::int as tps_synced,
				count(*) filter (where target > 0 and verified >= target)::int as tps_complete
			from tps group by village_code
		),
		recount as (
			select * from village
			union all select substr(code, 1, 6), sum(tps), sum(target), sum(verified), sum(tps_synced),
				sum(tps_complete) from village group by 1
			union all select substr(code, 1, 4), sum(tps), sum(target), sum(verified), sum(tps_synced),
				sum(tps_complete) from village group by 1
			union all select substr(code, 1, 2), sum(tps), sum(target), sum(verified), sum(tps_synced),
				sum(tps_complete) from village group by 1
			union all select 'id', coalesce(sum(tps), 0), coalesce(sum(target), 0),
				coalesce(sum(verified), 0), coalesce(sum(tps_synced), 0), coalesce(sum(tps_complete), 0)
				from village
		)
		insert into region_progress as p (code, tps, target, verified, tps_synced, tps_complete, version)
		select code, tps, target, verified, tps_synced, tps_complete, 1 from recount
		where code in (select code from regions)
		on conflict (code) do update set
			tps = excluded.tps,
			target = excluded.target,
			verified = excluded.verified,
			tps_synced = excluded.tps_synced,
			tps_complete = excluded.tps_complete,
			version = p.version + 1
		where (p.tps, p.target, p.verified, p.tps_synced, p.tps_complete)
			is distinct from (excluded.tps, excluded.target, excluded.verified, excluded.tps_synced,
				excluded.tps_complete)
	`);
}
