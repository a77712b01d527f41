import { describe, expect, it } from 'vitest';
import { COVERAGE_CLASSES, coverageColour, NO_DATA_COLOUR } from './colour-scale';

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
