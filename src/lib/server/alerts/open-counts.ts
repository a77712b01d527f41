/**
 * The open alerts inside a region, as the region page's headline shows them. The nation's count
 * reads every open alert (800,000 when most Pantarlih have not synced yet: 70 ms of PostgreSQL on
 * each page view), so a region's count is shared by its viewers for a few seconds and forgotten
 * as soon as this process opens, acknowledges or resolves an alert; another process's changes
 * show within `maxAgeMs`.
 */
import type { EventBus } from '../platform/events';

export class OpenAlertCounts {
	private counts = new Map<string, { at: number; count: Promise<number> }>();

	constructor(
		private readonly count: (code: string) => Promise<number>,
		private readonly maxAgeMs = 5_000,
		private readonly now: () => number = () => performance.now()
	) {}

	listen(bus: EventBus): void {
		bus.on('alerts', (changes) => {
			if (changes.length > 0) this.counts.clear();
		});
	}

	of(code: string): Promise<number> {
		const kept = this.counts.get(code);
		if (kept && this.now() - kept.at < this.maxAgeMs) return kept.count;
		const count = this.count(code);
		const entry = { at: this.now(), count };
		this.counts.set(code, entry);
		// A failed count is not kept: the next viewer asks again.
		count.catch(() => {
			if (this.counts.get(code) === entry) this.counts.delete(code);
		});
		return count;
	}
}
