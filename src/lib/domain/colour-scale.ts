/**
 * Colour classes for maps and legends, pure. Two views of a region (or TPS):
 * - coverage: how much of its list is verified, in classes fine at the low end (0–5%, 5–10% …)
 *   so that regions differ from the first days on; one hue, light to dark;
 * - behind today's target: how much of what is due by today is still missing, as a share of what
 *   is due (0 when met), so day 1's 3% target separates regions as well as day 20's 66%; blue when
 *   met, oranges the further behind (blue and orange stay apart for colour-blind readers, and the
 *   shades differ in lightness, so the map prints in grey).
 */
import { coverage } from './coverage';

export const COVERAGE_CLASSES = [
	{ upTo: 0.05, colour: '#eff3ff', label: '< 5%' },
	{ upTo: 0.1, colour: '#c6dbef', label: '5–10%' },
	{ upTo: 0.25, colour: '#9ecae1', label: '10–25%' },
	{ upTo: 0.5, colour: '#6baed6', label: '25–50%' },
	{ upTo: 0.75, colour: '#3182bd', label: '50–75%' },
	{ upTo: Infinity, colour: '#08519c', label: '≥ 75%' }
] as const;
export const NO_DATA_COLOUR = '#d9d9d9';

export function coverageColour(verified: number, target: number): string {
	const share = coverage(verified, target);
	if (share === null) return NO_DATA_COLOUR;
	return COVERAGE_CLASSES.find((c) => share < c.upTo)!.colour;
}

/**
 * The share of what is due by today that is still missing: 0 when today's target is met, 1 when
 * nothing of it is done. Null without a target, or before anything is due.
 */
export function behindShare(verified: number, target: number, share: number): number | null {
	const due = target * share;
	if (target <= 0 || due <= 0) return null;
	return Math.max(0, (due - verified) / due);
}

export const GAP_CLASSES = [
	{ upTo: 0, colour: '#2166ac', label: 'met' },
	{ upTo: 0.25, colour: '#fee6ce', label: '< 25%' },
	{ upTo: 0.5, colour: '#fdae6b', label: '25–50%' },
	{ upTo: 0.75, colour: '#e6550d', label: '50–75%' },
	{ upTo: Infinity, colour: '#a63603', label: '≥ 75%' }
] as const;

export function gapColour(verified: number, target: number, share: number): string {
	const behind = behindShare(verified, target, share);
	if (behind === null) return NO_DATA_COLOUR;
	return GAP_CLASSES.find((c) => behind <= c.upTo)!.colour;
}
