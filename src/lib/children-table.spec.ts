import { describe, expect, it } from 'vitest';
import { arrange, isColumn, type ChildLike } from './children-table';

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
