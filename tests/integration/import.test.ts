/**
 * Roster and target imports: a file with errors changes nothing and names the
 * rows; a clean file (CSV or XLSX) is applied, phones may swap between two TPS, and importing the
 * same file again changes nothing.
 */
import ExcelJS from 'exceljs';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translator } from '../../src/lib/i18n';
import { rows } from '../../src/lib/server/platform/db/client';
import { applyImport, previewImport, readRosterFile } from '../../src/lib/server/roster/import';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';
import { rollupMismatches } from '../fixtures/recount';

const csv = (lines: string[]) => new TextEncoder().encode(lines.join('\n') + '\n');

describe('imports', () => {
	let database: TestDatabase;
	let tps: { code: string; target: number; name: string; phone: string }[];
	const state = () =>
		rows<{ code: string; target: number; name: string; phone: string }>(
			database.db,
			sql`select t.code, t.target, p.name, p.phone from tps t join pantarlih p on p.tps_code = t.code
				where t.code like '7501%' order by t.code limit 4`
		);

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		tps = await state();
	});
	afterAll(async () => {
		await database?.destroy();
	});

	it('a file with errors names each row and, when not applied, changes nothing', async () => {
		const table = await readRosterFile(
			'roster.csv',
			csv([
				'kode_tps;target;telepon',
				`${tps[0].code};250;`,
				`${tps[1].code};999;`,
				`7501999999999;100;`,
				`${tps[2].code};;${tps[3].phone}`
			])
		);
		const preview = await previewImport(database.db, table, '75');
		expect(preview.errors.map((e) => [e.row, e.column])).toEqual([
			[3, 'target'],
			[4, 'kode_tps'],
			[5, 'telepon']
		]);
		expect(preview.changes).toEqual([{ row: 2, tps: tps[0].code, target: 250 }]);
		expect(await state()).toEqual(tps);
		// Outside the importer's region: refused row by row.
		const other = await previewImport(database.db, table, '7502');
		expect(other.errors.filter((e) => /outside your region/.test(e.message)).length).toBe(3);
	});

	it('applies a clean XLSX, lets two Pantarlih swap phones, and a second import changes nothing', async () => {
		const book = new ExcelJS.Workbook();
		const sheet = book.addWorksheet('roster');
		sheet.addRow(['Kode TPS', 'Target', 'Nama Pantarlih', 'Telepon']);
		sheet.addRow([tps[0].code, 150, 'Rina Marlina', tps[1].phone]);
		sheet.addRow([tps[1].code, 160, '', tps[0].phone.replace('+62', '0')]);
		const bytes = new Uint8Array((await book.xlsx.writeBuffer()) as ArrayBuffer);
		const table = await readRosterFile('roster.xlsx', bytes);
		const first = await previewImport(database.db, table, '75');
		expect(first.errors).toEqual([]);
		expect(first.changes.length).toBe(2);
		const store = new RollupStore();
		await store.load(database.db);
		const deltas = await applyImport(database.db, first.changes);
		// The returned deltas keep the live roll-ups exact without a recount.
		const moved = store.apply(deltas);
		expect(moved.map((r) => r.code).sort()).toEqual(
			[
				...new Set(
					[tps[0].code, tps[1].code].flatMap((c) => [c.slice(0, 10), c.slice(0, 6), c.slice(0, 4)])
				),
				'75',
				'id'
			].sort()
		);
		expect(await rollupMismatches(database.db, store.all())).toEqual([]);
		const now = await state();
		expect(now[0]).toEqual({
			code: tps[0].code,
			target: 150,
			name: 'Rina Marlina',
			phone: tps[1].phone
		});
		expect(now[1]).toEqual({ ...tps[1], target: 160, phone: tps[0].phone });
		const again = await previewImport(database.db, table, '75');
		expect(again.changes).toEqual([]);
		expect(again.unchanged).toBe(2);
	});

	it('refuses what is not a roster', async () => {
		await expect(readRosterFile('x.xlsx', new Uint8Array([0x50, 0x4b, 1, 2]))).rejects.toThrow(
			expect.objectContaining({ problem: 'importNotXlsx' })
		);
		await expect(readRosterFile('x.csv', new Uint8Array([0xff, 0xfe, 0x41]))).rejects.toThrow(
			expect.objectContaining({ problem: 'importNotText' })
		);
		const table = await readRosterFile('x.csv', csv(['nama,telepon', 'a,b']));
		const refused = await previewImport(database.db, table, '75').catch((e: unknown) => e);
		expect(refused).toMatchObject({ problem: 'importNoTpsColumn', status: 400 });
		// Said in the page's language, naming what was found.
		const { problem, values } = refused as { problem: string; values: Record<string, string> };
		expect(translator('id')(`problem.${problem}`, values)).toBe(
			'Baris pertama harus memuat kolom kode_tps (nama kolom yang ditemukan: nama, telepon)'
		);
	});
});
