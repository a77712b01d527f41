/**
 * A DATA_DIR from an earlier version (the embedded database in PGlite, DATA_DIR/pglite) is moved
 * into the embedded PostgreSQL once, on the first start: every row, the heartbeat log's day
 * partitions, the sequences; the counts before and after printed; the old folder kept. The
 * earlier folder is made here as the earlier version made it: PGlite, the same migrations, a
 * village of 300 TPS with their Pantarlih, heartbeats on two days, accounts.
 */
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import { describe, expect, it } from 'vitest';
import { rows } from '../../src/lib/server/platform/db/client';
import { openConfiguredDatabase } from '../../src/lib/server/platform/db/configured';
import { tempDir } from '../fixtures/temp';

describe('an earlier version’s PGlite folder', () => {
	it('is moved into the embedded PostgreSQL once, every count equal, the old folder kept', async () => {
		const dataDir = path.join(tempDir('pantau-move-'), 'data');
		mkdirSync(dataDir);
		const old = await PGlite.create(path.join(dataDir, 'pglite'));
		await migrate(drizzle(old), { migrationsFolder: 'drizzle' });
		await old.exec(`
			insert into regions (code, level, name, parent_code) values
				('65', 'province', 'KALIMANTAN UTARA', null), ('6501', 'regency', 'MALINAU', '65'),
				('650101', 'district', 'MALINAU KOTA', '6501'), ('6501012001', 'village', 'MALINAU HULU', '650101');
			insert into tps (code, village_code, number, target)
				select '6501012001' || lpad(n::text, 3, '0'), '6501012001', n, 200 from generate_series(1, 300) n;
			insert into pantarlih (name, phone, tps_code)
				select 'Pantarlih ' || code, '0812' || right(code, 7), code from tps;
			insert into seeded_provinces (province_code, tps) values ('65', 300);
			create table heartbeats_p20261124 partition of heartbeats
				for values from ('2026-11-24 00:00:00+07') to ('2026-11-25 00:00:00+07');
			create table heartbeats_p20261125 partition of heartbeats
				for values from ('2026-11-25 00:00:00+07') to ('2026-11-26 00:00:00+07');
			insert into users (email, name, password_hash, role, scope)
				values ('a@b.id', 'A', 'x', 'admin', 'id'), ('c@d.id', 'C', 'x', 'observer', '65');`);
		const { rows: tokens } = await old.query<{ id: number; tps: string; pantarlih: number }>(
			`insert into device_tokens (pantarlih_id, tps_code, token_hash)
			select p.id, p.tps_code, md5(p.id::text) from pantarlih p order by p.id limit 3
			returning id, (select tps_code from pantarlih where id = pantarlih_id) as tps, pantarlih_id as pantarlih`
		);
		for (const [i, day] of ['2026-11-24', '2026-11-25', '2026-11-25'].entries())
			await old.query(
				`insert into heartbeats (id, tps_code, pantarlih_id, device_token_id, verified, tms, new_voters, pending, recorded_at, received_at)
				values (gen_random_uuid(), $1, $2, $3, $4, 0, 0, 0, $5::timestamptz, $5::timestamptz)`,
				[tokens[i].tps, tokens[i].pantarlih, tokens[i].id, 10 + i, `${day} 09:00:00+07`]
			);
		const counted = async (table: string) =>
			(await old.query<{ n: number }>(`select count(*)::int as n from ${table}`)).rows[0].n;
		const before = {
			tps: await counted('tps'),
			heartbeats: await counted('heartbeats'),
			users: await counted('users')
		};
		await old.close();
		expect(before).toEqual({ tps: 300, heartbeats: 3, users: 2 });

		const lines: string[] = [];
		const database = await openConfiguredDatabase({ DATA_DIR: dataDir }, (l) => lines.push(l));
		try {
			const db = database.handle.db;
			const count = async (table: string) =>
				(await rows<{ n: number }>(db, sql.raw(`select count(*)::int as n from ${table}`)))[0].n;
			expect({
				tps: await count('tps'),
				heartbeats: await count('heartbeats'),
				users: await count('users')
			}).toEqual(before);
			expect(await count('heartbeats_p20261125')).toBe(2);
			// The accounts' sequence continues after the moved rows.
			const [next] = await rows<{ id: number }>(
				db,
				sql`insert into users (email, name, password_hash, role, scope)
					values ('e@f.id', 'E', 'x', 'leader', '65') returning id`
			);
			expect(next.id).toBe(3);
			expect(lines).toContainEqual(
				expect.stringMatching(/^\[db\] {3}tps: 300 rows before, 300 after$/)
			);
			expect(lines).toContainEqual(
				expect.stringMatching(/^\[db\] moved \d+ tables, [\d,]+ rows, every count equal/)
			);
		} finally {
			await database.close();
		}
		expect(existsSync(path.join(dataDir, 'pglite'))).toBe(false);
		expect(readdirSync(dataDir).some((name) => name.startsWith('pglite-moved-'))).toBe(true);

		const again: string[] = [];
		const reopened = await openConfiguredDatabase({ DATA_DIR: dataDir }, (l) => again.push(l));
		await reopened.close();
		expect(again.some((l) => l.includes('moving'))).toBe(false);
	});
});
