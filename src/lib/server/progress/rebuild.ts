/**
 * Full recount of every region's roll-up from the TPS table, grouped once by village and then
 * summed upwards (83,731 village rows, not 820,161 TPS rows per level). Run at start-up and after
 * seeding; `version` moves only for regions whose numbers changed.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client';

export async function rebuildRollups(db: Database): Promise<void> {
	await db.execute(sql`
		with village as (
			select village_code as code, count(*)::int as tps, sum(target)::bigint as target
			from tps group by village_code
		),
		recount as (
			select code, tps, target from village
			union all select substr(code, 1, 6), sum(tps), sum(target) from village group by 1
			union all select substr(code, 1, 4), sum(tps), sum(target) from village group by 1
			union all select substr(code, 1, 2), sum(tps), sum(target) from village group by 1
			union all select 'id', coalesce(sum(tps), 0), coalesce(sum(target), 0) from village
		)
		insert into region_progress as p (code, tps, target, version)
		select code, tps, target, 1 from recount
		where code in (select code from regions)
		on conflict (code) do update set
			tps = excluded.tps,
			target = excluded.target,
			version = p.version + 1
		where (p.tps, p.target) is distinct from (excluded.tps, excluded.target)
	`);
}
