/**
 * Full recount of every region's totals from the TPS table, grouped once by village and then
 * summed upwards (83,731 village rows, not 820,161 TPS rows per level). The definitions match
 * domain/coverage.ts `contribution()`. Used to load the roll-up store at start-up.
 */
import { sql } from 'drizzle-orm';
import type { Contribution } from '../../domain/coverage';
import { rows, type Database } from '../platform/db/client';

export interface RegionCount extends Contribution {
	code: string;
	tps: number;
	target: number;
}

export function recountRegions(db: Database): Promise<RegionCount[]> {
	return rows<RegionCount>(
		db,
		sql`with village as (
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
			union all select 'id', sum(tps), sum(target), sum(verified), sum(tps_synced),
				sum(tps_complete) from village
		)
		select code, tps::int as tps, coalesce(target, 0)::float8 as target,
			coalesce(verified, 0)::float8 as verified, tps_synced::int as "tpsSynced",
			tps_complete::int as "tpsComplete"
		from recount`
	);
}
