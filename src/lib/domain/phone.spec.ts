import { describe, expect, it } from 'vitest';
import { maskPhone, normalizePhone } from './phone';

describe('normalizePhone', () => {
	it('accepts the usual ways of writing an Indonesian mobile number', () => {
		expect(normalizePhone('0812-3456-7890')).toBe('+6281234567890');
		expect(normalizePhone('+62 812 3456 7890')).toBe('+6281234567890');
		expect(normalizePhone('6281234567890')).toBe('+6281234567890');
		expect(normalizePhone('021-555-1234')).toBeNull();
		expect(normalizePhone('0812')).toBeNull();
	});
});

describe('maskPhone', () => {
	it('keeps the country code, the operator prefix and the last two digits', () => {
		expect(maskPhone('+6281234567889')).toBe('+62 812-****-**89');
	});

	it('never leaks digits when the number is odd', () => {
		expect(maskPhone('12')).toBe('****');
	});
});
