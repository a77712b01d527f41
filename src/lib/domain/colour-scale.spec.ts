import { describe, expect, it } from 'vitest';
import {
	COVERAGE_CLASSES,
	coverageColour,
	GAP_CLASSES,
	gapColour,
	gapPoints,
	NO_DATA_COLOUR
} from './colour-scale';

describe('coverage colours', () => {
	it('puts each share in its 20% class, 100% and above in the top one', () => {
		expect(coverageColour(0, 100)).toBe(COVERAGE_CLASSES[0].colour);
		expect(coverageColour(20, 100)).toBe(COVERAGE_CLASSES[1].colour);
		expect(coverageColour(79, 100)).toBe(COVERAGE_CLASSES[3].colour);
		expect(coverageColour(100, 100)).toBe(COVERAGE_CLASSES[4].colour);
		expect(coverageColour(130, 100)).toBe(COVERAGE_CLASSES[4].colour);
	});

	it('greys out a region without a target', () => {
		expect(coverageColour(0, 0)).toBe(NO_DATA_COLOUR);
	});
});

describe('gap colours', () => {
	it('is green when today’s target is met and warmer the further behind', () => {
		expect(gapColour(50, 100, 0.5)).toBe(GAP_CLASSES[0].colour);
		expect(gapColour(60, 100, 0.5)).toBe(GAP_CLASSES[0].colour);
		expect(gapColour(46, 100, 0.5)).toBe(GAP_CLASSES[1].colour);
		expect(gapColour(45, 100, 0.5)).toBe(GAP_CLASSES[1].colour);
		expect(gapColour(44, 100, 0.5)).toBe(GAP_CLASSES[2].colour);
		expect(gapColour(35, 100, 0.5)).toBe(GAP_CLASSES[3].colour);
		expect(gapColour(10, 100, 0.5)).toBe(GAP_CLASSES[4].colour);
		expect(gapColour(0, 0, 0.5)).toBe(NO_DATA_COLOUR);
		expect(gapPoints(40, 200, 0.5)).toBe(30);
	});
});
