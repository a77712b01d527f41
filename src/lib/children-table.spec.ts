import { describe, expect, it } from 'vitest';
import {
	arrange,
	arrangeTps,
	isColumn,
	isTpsColumn,
	type ChildLike,
	type TpsLike
} from './children-table';

const row = (code: string, name: string, verified: number, gap: number): ChildLike => ({
	code,
	name,
	tps: 10,
	target: 1_000,
	verified,
	gap,
	syncedToday: 1,
	silent: 0,
	never: 0,
	status: 'behind',
	forecast: null
});
const rows = [
	row('3501', 'PACITAN', 500, 10),
	row('3502', 'PONOROGO', 300, 90),
	row('3503', 'TRENGGALEK', 300, 50)
];

describe('children table', () => {
	it('sorts by a column, ties by code, either way', () => {
		expect(arrange(rows, 'gap', true, '').map((r) => r.code)).toEqual(['3502', '3503', '3501']);
		expect(arrange(rows, 'coverage', false, '').map((r) => r.code)).toEqual([
			'3502',
			'3503',
			'3501'
		]);
		expect(arrange(rows, 'name', false, '').map((r) => r.name)).toEqual([
			'PACITAN',
			'PONOROGO',
			'TRENGGALEK'
		]);
	});
	it('filters by name, any case', () => {
		expect(arrange(rows, 'code', false, ' po ').map((r) => r.code)).toEqual(['3502']);
	});
	it('knows its columns', () => {
		expect(isColumn('gap')).toBe(true);
		expect(isColumn('drop table')).toBe(false);
		expect(isColumn(null)).toBe(false);
	});

	it('sorts the finish by the real date, years included, with no forecast last', () => {
		const finishing = [
			{ ...row('3509', 'JEMBER', 21, 0), forecast: { finish: '2028-03-05', atRisk: true } },
			{ ...row('3501', 'PACITAN', 43, 0), forecast: { finish: '2027-08-26', atRisk: true } },
			{ ...row('3502', 'PONOROGO', 0, 0), forecast: { finish: null, atRisk: false } }
		];
		expect(arrange(finishing, 'finish', false, '').map((r) => r.name)).toEqual([
			'PACITAN',
			'JEMBER',
			'PONOROGO'
		]);
	});

	it('sorts the status worst first when descending', () => {
		const states = [
			{ ...row('1', 'A', 0, 0), status: 'onTrack' as const },
			{ ...row('2', 'B', 0, 0), status: 'atRisk' as const },
			{ ...row('3', 'C', 0, 0), status: 'behind' as const }
		];
		expect(arrange(states, 'status', true, '').map((r) => r.status)).toEqual([
			'atRisk',
			'behind',
			'onTrack'
		]);
	});
});

describe('a village TPS table', () => {
	const tps = (
		number: string,
		verified: number,
		state: TpsLike['state'],
		lastSyncAt: number | null
	): TpsLike => ({
		code: `3501010001${number}`,
		number,
		pantarlih: `P${number}`,
		verified,
		target: 200,
		gap: 100 - verified,
		state,
		lastSyncAt
	});
	const list = [
		tps('001', 80, 'aktif', 3_000),
		tps('002', 20, 'belum_pernah', null),
		tps('003', 50, 'senyap', 1_000)
	];
	it('sorts by a column either way; never synced before the longest silence', () => {
		expect(arrangeTps(list, 'gap', true).map((r) => r.number)).toEqual(['002', '003', '001']);
		expect(arrangeTps(list, 'lastSync', false).map((r) => r.number)).toEqual(['002', '003', '001']);
		expect(arrangeTps(list, 'state', false).map((r) => r.number)).toEqual(['002', '003', '001']);
		expect(arrangeTps(list, 'coverage', true).map((r) => r.number)).toEqual(['001', '003', '002']);
		// Equal gaps: in number order, whichever way the column runs.
		const even = [tps('002', 50, 'aktif', 1), tps('001', 50, 'aktif', 1)];
		expect(arrangeTps(even, 'gap', true).map((r) => r.number)).toEqual(['001', '002']);
		expect(arrangeTps(even, 'gap', false).map((r) => r.number)).toEqual(['001', '002']);
		expect(isTpsColumn('lastSync')).toBe(true);
		expect(isTpsColumn('silent')).toBe(false);
	});
});
