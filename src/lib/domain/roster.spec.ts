import { describe, expect, it } from 'vitest';
import { translator } from '../i18n';
import { checkRoster, mapHeader, type Current } from './roster';

const DB = new Map<string, Current>([
	['3501010001001', { target: 200, name: 'Siti Aminah', phone: '+6281234567801' }],
	['3501010001002', { target: 210, name: 'Budi Santoso', phone: '+6281234567802' }],
	['3501010001003', { target: 220, name: 'Dewi Lestari', phone: '+6281234567803' }],
	['3502010001001', { target: 230, name: 'Agus Salim', phone: '+6281234567804' }]
]);
const owners = new Map([...DB].map(([tps, c]) => [c.phone, tps]));
const check = (rows: string[][], scope = '35') =>
	checkRoster(
		rows,
		(tps) => DB.get(tps),
		(phone) => owners.get(phone),
		(tps) => tps.startsWith(scope)
	);

describe('roster files', () => {
	it('needs a TPS column and something to import', () => {
		expect(() => mapHeader(['nama', 'telepon'])).toThrow(
			expect.objectContaining({ problem: 'importNoTpsColumn', values: { found: 'nama, telepon' } })
		);
		expect(() => mapHeader(['Kode TPS'])).toThrow(
			expect.objectContaining({ problem: 'importNothingToChange' })
		);
		expect(() => check([])).toThrow(expect.objectContaining({ problem: 'importEmpty' }));
	});

	it('turns good rows into changes and leaves identical rows out', () => {
		const result = check([
			['kode_tps', 'target', 'nama_pantarlih', 'telepon'],
			['3501010001001', '250', 'Siti Aminah', '081234567801'],
			['3501010001002', '210', 'Budi Santoso', '+6281234567802'],
			['3501010001003', '', 'Dewi Lestari Putri', ''],
			['', '', '', '']
		]);
		expect(result).toEqual({
			changes: [
				{ row: 2, tps: '3501010001001', target: 250 },
				{ row: 4, tps: '3501010001003', name: 'Dewi Lestari Putri' }
			],
			errors: [],
			unchanged: 1
		});
	});

	it('reports every bad row with its number, column and reason', () => {
		const result = check(
			[
				['Kode TPS', 'Target', 'Telepon'],
				['35010100010', '200', ''],
				['3501010009999', '200', ''],
				['3502010001001', '200', ''],
				['3501010001001', '301', ''],
				['3501010001002', '-5', ''],
				['3501010001003', '12.5', '0812 abc'],
				['3501010001003', '100', ''],
				['3501010001001', '', '081234567804']
			],
			'3501'
		);
		expect(result.changes).toEqual([]);
		expect(result.errors.map((e) => [e.row, e.column])).toEqual([
			[2, 'kode_tps'],
			[3, 'kode_tps'],
			[4, 'kode_tps'],
			[5, 'target'],
			[6, 'target'],
			[7, 'target'],
			[7, 'telepon'],
			[8, 'kode_tps'],
			[9, 'kode_tps']
		]);
		expect(result.errors[2].message).toMatch(/outside your region/);
		expect(result.errors[7].message).toMatch(/already on row 7/);
	});

	it('refuses a phone that another Pantarlih holds, or that appears twice in the file', () => {
		const result = check(
			[
				['kode_tps', 'telepon'],
				['3501010001001', '081234567804'],
				['3501010001002', '081299990000'],
				['3501010001003', '081299990000']
			],
			'3501'
		);
		expect(result.errors.map((e) => [e.row, e.message])).toEqual([
			[2, '+6281234567804 already belongs to the Pantarlih of TPS 3502010001001'],
			[4, '+6281299990000 is also on row 3']
		]);
		expect(result.changes).toEqual([{ row: 3, tps: '3501010001002', phone: '+6281299990000' }]);
	});

	it('names each problem with a code that both languages can say', () => {
		const result = check(
			[
				['kode_tps', 'target', 'telepon'],
				['35', '', ''],
				['3501010001001', '999', '081234567804']
			],
			'3501'
		);
		expect(result.errors.map((e) => e.problem)).toEqual(['notTpsCode', 'badTarget', 'phoneTaken']);
		const id = translator('id');
		expect(result.errors.map((e) => id(`rosterError.${e.problem}`, e.values))).toEqual([
			'"35" bukan kode TPS 13 angka',
			'target "999" harus bilangan bulat 0 sampai 300',
			'+6281234567804 sudah milik Pantarlih TPS 3502010001001'
		]);
		expect(result.errors[1].message).toBe('target "999" must be a whole number from 0 to 300');
	});
});
