import { describe, expect, it } from 'vitest';
import { parseWilayah, regionRows, tpsRows, WilayahError } from './wilayah';

const file = () => ({
	names: {
		'35': 'JAWA TIMUR',
		'3523': 'TUBAN',
		'352301': 'KENDURUAN',
		'3523012001': 'JLODRO',
		'3523012002': 'SIDOHASRI',
		'65': 'KALIMANTAN UTARA',
		'6501': 'MALINAU',
		'650101': 'MALINAU KOTA',
		'6501012001': 'MALINAU KOTA'
	},
	tps: {
		'3523012002': [2],
		'3523012001': [1, 901, 902],
		'6501012001': [3]
	}
});

describe('parseWilayah', () => {
	it('accepts a well-formed file', () => {
		expect(parseWilayah(file()).names['3523']).toBe('TUBAN');
	});

	it('names the field when the shape is wrong', () => {
		expect(() => parseWilayah({ names: {}, tps: { '3523012001': ['x'] } })).toThrow(
			/tps\.3523012001\.0/
		);
		expect(() => parseWilayah('nonsense')).toThrow(WilayahError);
	});

	it('refuses a region whose parent is missing', () => {
		const broken = file();
		delete (broken.names as Record<string, string>)['352301'];
		expect(() => parseWilayah(broken)).toThrow(/3523012001 has no parent 352301/);
	});

	it('refuses TPS of an unknown village', () => {
		const broken = file();
		(broken.tps as Record<string, number[]>)['3523012009'] = [1];
		expect(() => parseWilayah(broken)).toThrow(/unknown village "3523012009"/);
	});
});

describe('rows', () => {
	it('lists the nation first and parents before children', () => {
		const rows = regionRows(parseWilayah(file()));
		expect(rows[0]).toEqual({ code: 'id', level: 'nation', name: 'INDONESIA', parentCode: null });
		const seen = new Set<string>();
		for (const row of rows) {
			if (row.parentCode) expect(seen.has(row.parentCode)).toBe(true);
			seen.add(row.code);
		}
		expect(rows).toHaveLength(10);
	});

	it('labels a village without a name in the KPU list instead of dropping it', () => {
		const withBlank = file();
		withBlank.names['3523012002'] = ' ';
		const row = regionRows(parseWilayah(withBlank)).find((r) => r.code === '3523012002');
		expect(row?.name).toBe('TANPA NAMA (3523012002)');
	});

	it('expands [n, k, j] into TPS 1..n and k..j in national order', () => {
		const rows = tpsRows(parseWilayah(file()));
		expect(rows.map((r) => r.code)).toEqual([
			'3523012001001',
			'3523012001901',
			'3523012001902',
			'3523012002001',
			'3523012002002',
			'6501012001001',
			'6501012001002',
			'6501012001003'
		]);
		expect(rows.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
	});

	it('a province subset keeps national indexes (so simulated phones match a national seed)', () => {
		const rows = tpsRows(parseWilayah(file()), new Set(['65']));
		expect(rows.map((r) => [r.code, r.index])).toEqual([
			['6501012001001', 5],
			['6501012001002', 6],
			['6501012001003', 7]
		]);
		expect(regionRows(parseWilayah(file()), new Set(['65'])).map((r) => r.code)).toEqual([
			'id',
			'65',
			'6501',
			'650101',
			'6501012001'
		]);
	});
});
