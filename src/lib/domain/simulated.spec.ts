import { describe, expect, it } from 'vitest';
import {
	simulatedName,
	simulatedPhone,
	simulatedTarget,
	TARGET_MAX,
	TARGET_MIN
} from './simulated';

// 20,000 TPS codes: villages of 12 TPS each.
const codes = Array.from(
	{ length: 20_000 },
	(_, i) => `${3501010001 + Math.floor(i / 12)}${String((i % 12) + 1).padStart(3, '0')}`
);

describe('simulated targets', () => {
	it('stay within the 2024 rule of 100..300 voters per TPS', () => {
		const targets = codes.map(simulatedTarget);
		expect(Math.min(...targets)).toBeGreaterThanOrEqual(TARGET_MIN);
		expect(Math.max(...targets)).toBeLessThanOrEqual(TARGET_MAX);
		expect(new Set(targets).size).toBeGreaterThan(150);
	});

	it('average near the real 250 voters per TPS', () => {
		const mean = codes.reduce((sum, code) => sum + simulatedTarget(code), 0) / codes.length;
		expect(mean).toBeGreaterThan(245);
		expect(mean).toBeLessThan(255);
	});

	it('are the same on every call (deterministic by code)', () => {
		expect(codes.slice(0, 50).map(simulatedTarget)).toEqual(
			codes.slice(0, 50).map(simulatedTarget)
		);
	});
});

describe('simulated Pantarlih', () => {
	it('have Indonesian-style names that vary by TPS', () => {
		const names = new Set(codes.slice(0, 1000).map(simulatedName));
		expect(names.size).toBeGreaterThan(300);
		for (const name of names) expect(name).toMatch(/^[A-Z][A-Za-z. ]+$/);
	});

	it('have +62 8xx mobile numbers, all distinct across the national index range', () => {
		const phones = new Set<string>();
		for (let index = 0; index < 820_161; index += 1) {
			phones.add(simulatedPhone(codes[index % codes.length], index).slice(-8));
		}
		expect(phones.size).toBe(820_161);
		expect(simulatedPhone(codes[0], 0)).toMatch(/^\+628\d{10}$/);
	});
});
