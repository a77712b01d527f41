/** Coverage classes for maps and legends: five steps of 20%, plus "no data". Pure. */
export const COVERAGE_CLASSES = [
	{ upTo: 0.2, colour: '#fde0dd', label: '0–20%' },
	{ upTo: 0.4, colour: '#fcc5c0', label: '20–40%' },
	{ upTo: 0.6, colour: '#fa9fb5', label: '40–60%' },
	{ upTo: 0.8, colour: '#dd3497', label: '60–80%' },
	{ upTo: Infinity, colour: '#7a0177', label: '80–100%' }
] as const;
export const NO_DATA_COLOUR = '#d9d9d9';

export function coverageColour(verified: number, target: number): string {
	if (target <= 0) return NO_DATA_COLOUR;
	const share = verified / target;
	return COVERAGE_CLASSES.find((c) => share < c.upTo)!.colour;
}
