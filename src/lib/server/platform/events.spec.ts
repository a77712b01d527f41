import { describe, expect, it } from 'vitest';
import { EventBus } from './events';

describe('EventBus', () => {
	it('calls handlers synchronously, in the order they subscribed', () => {
		const bus = new EventBus();
		const heard: string[] = [];
		bus.on('planChanged', () => heard.push('first'));
		bus.on('planChanged', () => heard.push('second'));
		bus.emit('planChanged', { origin: 'local' });
		heard.push('after emit');
		expect(heard).toEqual(['first', 'second', 'after emit']);
	});

	it('a handler that throws does not keep the others from hearing', () => {
		const bus = new EventBus();
		const heard: number[] = [];
		bus.on('tokensRevoked', () => {
			throw new Error('broken consumer');
		});
		bus.on('tokensRevoked', ({ tps }) => heard.push(tps.length));
		bus.emit('tokensRevoked', { tps: ['3501010001001'], origin: 'local' });
		expect(heard).toEqual([1]);
	});

	it('unsubscribes', () => {
		const bus = new EventBus();
		let count = 0;
		const stop = bus.on('missed', () => (count += 1));
		bus.emit('missed', {});
		stop();
		bus.emit('missed', {});
		expect(count).toBe(1);
	});
});
