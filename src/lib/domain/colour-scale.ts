/** Coverage classes for maps and legends: five steps of 20%, plus "no data". Pure. */
import { coverage } from './coverage';
export const COVERAGE_CLASSES = [
	{ upTo: 0.2, colour: '#fde0dd', label: '0–20%' },
	{ upTo: 0.4, colour: '#fcc5c0', label: '20–40%' },
	{ upTo: 0.6, colour: '#fa9fb5', label: '40–60%' },
	{ upTo: 0.8, colour: '#dd3497', label: '60–80%' },
	{ upTo: Infinity, colour: '#7a0177', label: '80–100%' }
] as const;
export const NO_DATA_COLOUR = '#d9d9d9';

export function coverageColour(verified: number, target: number): string {
	const share = coverage(verified, target);
	if (share === null) return NO_DATA_COLOUR;
	return COVERAGE_CLASSES.find((c) => share < c.upTo)!.colour;
}

/**
 * Gap classes: how far below today's target a region is, as a share of its list (points of
 * coverage). Green when the target is met, then warmer the further behind.
 */
export const GAP_CLASSES = [
	{ upTo: 0, colour: '#1a9850', label: '0' },
	{ upTo: 5, colour: '#fee08b', label: '< 5' },
	{ upTo: 10, colour: '#fdae61', label: '5–10' },
	{ upTo: 20, colour: '#f46d43', label: '10–20' },
	{ upTo: Infinity, colour: '#a50026', label: '> 20' }
] as const;

/** Points of coverage still missing to reach today's target share (0 when met). */
export const gapPoints = (verified: number, target: number, share: number) =>
	target > 0 ? Math.max(0, share * 100 - coverage(verified, target)! * 100) : 0;

export function gapColour(verified: number, target: number, share: number): string {
	if (target <= 0) return NO_DATA_COLOUR;
	const points = gapPoints(verified, target, share);
	return GAP_CLASSES.find((c) => points <= c.upTo)!.colour;
}
