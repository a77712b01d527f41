/**
 * Starts `start` once `node` comes within `margin` of the viewport, or at once when `eager` (a
 * document that must be complete, such as the report before it prints) or where the browser has
 * no IntersectionObserver. Maps and charts below the fold of a phone then cost nothing until the
 * reader scrolls towards them. Returns a function that cancels a start not yet made.
 */
export function whenNear(
	node: Element,
	start: () => void,
	{ eager = false, margin = '400px' }: { eager?: boolean; margin?: string } = {}
): () => void {
	if (eager || typeof IntersectionObserver === 'undefined') {
		start();
		return () => {};
	}
	let waiting = true;
	const stop = () => {
		waiting = false;
		observer.disconnect();
		removeEventListener('beforeprint', go);
	};
	const go = () => {
		if (!waiting) return;
		stop();
		start();
	};
	const observer = new IntersectionObserver(
		(entries) => {
			if (entries.some((e) => e.isIntersecting)) go();
		},
		{ rootMargin: margin }
	);
	observer.observe(node);
	// Printing starts it too, although the browser takes its snapshot as soon as `beforeprint`
	// returns: a print made before scrolling shows the frame empty, the next one the drawing.
	addEventListener('beforeprint', go);
	return stop;
}
