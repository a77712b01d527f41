import { describe, expect, it } from 'vitest';
import { formatNumber, formatPercent } from './format';

describe('Indonesian number formats', () => {
	it('groups thousands with dots', () => {
		expect(formatNumber(1_234_567)).toBe('1.234.567');
		expect(formatNumber(820_161)).toBe('820.161');
	});

	it('writes percentages with a decimal comma', () => {
		expect(formatPercent(456, 1000)).toMatch(/^45,6\s?%$/);
		expect(formatPercent(0, 250)).toMatch(/^0,0\s?%$/);
	});

	it('shows a dash when the target is zero instead of NaN', () => {
		expect(formatPercent(0, 0)).toBe('–');
	});
});
