import { describe, expect, it } from 'vitest';
import {
	behindShare,
	COVERAGE_CLASSES,
	coverageColour,
	GAP_CLASSES,
	gapColour,
	NO_DATA_COLOUR
} from './colour-scale';

describe('coverage colours', () => {
	it('separates the low end, where the first days are', () => {
		expect(coverageColour(1, 100)).toBe(COVERAGE_CLASSES[0].colour);
		expect(coverageColour(6, 100)).toBe(COVERAGE_CLASSES[1].colour);
		expect(coverageColour(12, 100)).toBe(COVERAGE_CLASSES[2].colour);
		expect(coverageColour(80, 100)).toBe(COVERAGE_CLASSES[5].colour);
		expect(coverageColour(130, 100)).toBe(COVERAGE_CLASSES[5].colour);
	});

	it('greys out a region without a target', () => {
		expect(coverageColour(0, 0)).toBe(NO_DATA_COLOUR);
	});
});

describe('behind today’s target', () => {
	it('on day 1 (3.3% due) tells 0.8% from 3% apart, which coverage classes cannot', () => {
		const due = 0.033;
		expect(gapColour(8, 1_000, due)).not.toBe(gapColour(30, 1_000, due));
		expect(coverageColour(8, 1_000)).toBe(coverageColour(30, 1_000));
	});

	it('is blue when met, and warmer the larger the share of what is due still missing', () => {
		expect(gapColour(50, 100, 0.5)).toBe(GAP_CLASSES[0].colour);
		expect(gapColour(60, 100, 0.5)).toBe(GAP_CLASSES[0].colour);
		expect(gapColour(45, 100, 0.5)).toBe(GAP_CLASSES[1].colour);
		expect(gapColour(30, 100, 0.5)).toBe(GAP_CLASSES[2].colour);
		expect(gapColour(20, 100, 0.5)).toBe(GAP_CLASSES[3].colour);
		expect(gapColour(0, 100, 0.5)).toBe(GAP_CLASSES[4].colour);
		expect(gapColour(0, 0, 0.5)).toBe(NO_DATA_COLOUR);
		expect(behindShare(25, 100, 0.5)).toBe(0.5);
		expect(behindShare(10, 100, 0)).toBeNull();
	});
});
