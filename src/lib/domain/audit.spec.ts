import { describe, expect, it } from 'vitest';
import { fieldChanges, showValue } from './audit';

describe('fieldChanges', () => {
	it('lists only the fields a change touched, before → after', () => {
		expect(
			fieldChanges(
				{ email: 'a@x.id', role: 'observer', scope: '35', disabled: false },
				{ email: 'a@x.id', role: 'coordinator', scope: '3501', disabled: false }
			)
		).toEqual([
			{ field: 'role', before: 'observer', after: 'coordinator' },
			{ field: 'scope', before: '35', after: '3501' }
		]);
	});

	it('a creation shows every field as new; a removal every field as gone', () => {
		expect(fieldChanges(null, { note: 'HP rusak', contacted: true })).toEqual([
			{ field: 'note', before: null, after: 'HP rusak' },
			{ field: 'contacted', before: null, after: 'true' }
		]);
		expect(fieldChanges({ points: [1, 2] }, null)).toEqual([
			{ field: 'points', before: '1, 2', after: null }
		]);
	});

	it('a value that is not a record is one change without a field name', () => {
		expect(fieldChanges(['1=3.3', '30=100'], ['1=5', '30=100'])).toEqual([
			{ field: null, before: '1=3.3, 30=100', after: '1=5, 30=100' }
		]);
		expect(fieldChanges(null, null)).toEqual([]);
		expect(fieldChanges('x', 'x')).toEqual([]);
	});
});

describe('showValue', () => {
	it("writes a record of plain values as pairs (a download's filters), without the empty ones", () => {
		expect(
			showValue({ desa: '', urut: 'senyap', format: 'csv', status: 'aktif', kecamatan: '350102' })
		).toBe('urut: senyap, format: csv, status: aktif, kecamatan: 350102');
		expect(showValue({ a: 1, b: true, c: null })).toBe('a: 1, b: true');
		expect(showValue({ desa: '' })).toBe('–');
	});

	it('lists a change that the words alone would hide', () => {
		expect(fieldChanges({ note: '' }, { note: null })).toHaveLength(1);
		expect(fieldChanges({ count: 1 }, { count: '1' })).toHaveLength(1);
		expect(fieldChanges({ f: { a: '', b: 'x' } }, { f: { b: 'x' } })).toHaveLength(1);
		expect(fieldChanges({ f: { b: 'x' } }, { f: { b: 'x' } })).toEqual([]);
	});

	it('writes nested values compactly and nothing as null', () => {
		expect(showValue({ a: { b: 1 } })).toBe('{"a":{"b":1}}');
		expect(showValue([{ zone: 'WIB', written: 3 }])).toBe('[{"zone":"WIB","written":3}]');
		expect(showValue(undefined)).toBeNull();
		expect(showValue(0)).toBe('0');
	});
});

describe('numbers in an entry', () => {
	it('are written as the pages write them; codes stored as text stay as they are', () => {
		expect(fieldChanges(null, { tps: 20000, region: '3501', share: 2.5 })).toEqual([
			{ field: 'tps', before: null, after: '20.000' },
			{ field: 'region', before: null, after: '3501' },
			{ field: 'share', before: null, after: '2,5' }
		]);
	});
});
