import { describe, expect, it } from 'vitest';
import {
	ancestors,
	commonRegion,
	isTpsCode,
	isWithin,
	lineage,
	parentCode,
	provinceOf,
	regionLevel,
	tpsCode
} from './codes';

describe('regionLevel', () => {
	it.each([
		['id', 'nation'],
		['35', 'province'],
		['3523', 'regency'],
		['352301', 'district'],
		['3523012001', 'village']
	])('%s is a %s', (code, level) => {
		expect(regionLevel(code)).toBe(level);
	});

	it.each(['', '3', '352', '35230', '3523012001001', 'ID', '35a3', ' 35'])(
		'%j is not a region code',
		(code) => {
			expect(regionLevel(code)).toBeNull();
		}
	);
});

describe('parent chain', () => {
	it('walks a TPS up to the nation, nearest first', () => {
		expect(ancestors('3523012001001')).toEqual(['3523012001', '352301', '3523', '35', 'id']);
	});

	it('lineage of a village runs from the nation down to the village itself', () => {
		expect(lineage('3523012001')).toEqual(['id', '35', '3523', '352301', '3523012001']);
	});

	it('the nation has no parent and a province has the nation', () => {
		expect(parentCode('id')).toBeNull();
		expect(parentCode('35')).toBe('id');
	});

	it('rejects garbage instead of guessing a parent', () => {
		expect(() => parentCode('12345')).toThrow(/Not a region or TPS code/);
	});
});

describe('TPS codes', () => {
	it('joins a village code and a zero-padded number', () => {
		expect(tpsCode('3523012001', 1)).toBe('3523012001001');
		expect(tpsCode('3523012001', 901)).toBe('3523012001901');
	});

	it('refuses numbers outside 1..999 and non-village parents', () => {
		expect(() => tpsCode('3523012001', 0)).toThrow();
		expect(() => tpsCode('3523012001', 1000)).toThrow();
		expect(() => tpsCode('352301', 1)).toThrow(/village/);
	});

	it('recognises 13 digits with a non-zero number only', () => {
		expect(isTpsCode('3523012001001')).toBe(true);
		expect(isTpsCode('3523012001000')).toBe(false);
		expect(isTpsCode('352301200100')).toBe(false);
		expect(isTpsCode('352301200100x')).toBe(false);
	});
});

describe('scope', () => {
	it('a regency scope holds its villages and TPS but not its neighbour', () => {
		expect(isWithin('3523012001001', '3523')).toBe(true);
		expect(isWithin('3578', '3523')).toBe(false);
		expect(isWithin('35', '3523')).toBe(false);
	});

	it('the nation scope holds everything; nothing but the nation holds the nation', () => {
		expect(isWithin('id', 'id')).toBe(true);
		expect(isWithin('91', 'id')).toBe(true);
		expect(isWithin('id', '35')).toBe(false);
	});

	it('provinceOf takes the first two digits', () => {
		expect(provinceOf('3523012001001')).toBe('35');
		expect(provinceOf('id')).toBeNull();
	});
});

describe('commonRegion', () => {
	it('files one code under itself, several under the smallest region holding them all', () => {
		expect(commonRegion(['3501012001001'])).toBe('3501012001001');
		expect(commonRegion(['3501012001001', '3501012001002'])).toBe('3501012001');
		expect(commonRegion(['3501012001001', '3501012002001'])).toBe('350101');
		expect(commonRegion(['3501012001001', '3502012001001'])).toBe('35');
		// 3501 and 3510 share "35" and a stray "0" that is no region's code.
		expect(commonRegion(['3501', '3510'])).toBe('35');
	});

	it('files codes of several provinces, or none, under the nation', () => {
		expect(commonRegion(['3501', '3171'])).toBe('id');
		expect(commonRegion([])).toBe('id');
		expect(commonRegion(['id', '35'])).toBe('id');
	});
});
