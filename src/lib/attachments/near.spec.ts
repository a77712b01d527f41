import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { whenNear } from './near';

/** Stands in for the browser: one IntersectionObserver per call, and window's print events. */
let observers: {
	callback: IntersectionObserverCallback;
	options?: IntersectionObserverInit;
	disconnected: boolean;
}[];
let listeners: Map<string, Set<() => void>>;

beforeEach(() => {
	observers = [];
	listeners = new Map();
	vi.stubGlobal(
		'IntersectionObserver',
		class {
			record: (typeof observers)[number];
			constructor(callback: IntersectionObserverCallback, options?: IntersectionObserverInit) {
				this.record = { callback, options, disconnected: false };
				observers.push(this.record);
			}
			observe() {}
			disconnect() {
				this.record.disconnected = true;
			}
		}
	);
	vi.stubGlobal('addEventListener', (type: string, listener: () => void) => {
		if (!listeners.has(type)) listeners.set(type, new Set());
		listeners.get(type)!.add(listener);
	});
	vi.stubGlobal('removeEventListener', (type: string, listener: () => void) =>
		listeners.get(type)?.delete(listener)
	);
});
afterEach(() => vi.unstubAllGlobals());

const node = {} as Element;
const seen = (isIntersecting: boolean) =>
	observers[0].callback(
		[{ isIntersecting } as IntersectionObserverEntry],
		{} as IntersectionObserver
	);

describe('whenNear', () => {
	it('starts once the element comes within the margin of the screen, and only once', () => {
		const start = vi.fn();
		whenNear(node, start);
		expect(observers[0].options?.rootMargin).toBe('400px');
		seen(false);
		expect(start).not.toHaveBeenCalled();
		seen(true);
		seen(true);
		expect(start).toHaveBeenCalledTimes(1);
		expect(observers[0].disconnected).toBe(true);
		expect(listeners.get('beforeprint')?.size).toBe(0);
	});

	it('starts at once when eager, watching nothing', () => {
		const start = vi.fn();
		whenNear(node, start, { eager: true });
		expect(start).toHaveBeenCalledTimes(1);
		expect(observers).toHaveLength(0);
	});

	it('starts before printing, even far from the screen', () => {
		const start = vi.fn();
		whenNear(node, start);
		for (const listener of [...listeners.get('beforeprint')!]) listener();
		expect(start).toHaveBeenCalledTimes(1);
	});

	it('never starts once cancelled (the element went away first)', () => {
		const start = vi.fn();
		const cancel = whenNear(node, start);
		cancel();
		seen(true);
		expect(start).not.toHaveBeenCalled();
		expect(observers[0].disconnected).toBe(true);
		expect(listeners.get('beforeprint')?.size).toBe(0);
	});
});
