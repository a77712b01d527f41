import { describe, expect, it } from 'vitest';
import { EventBus } from '../platform/events';
import { OpenAlertCounts } from './open-counts';

describe('OpenAlertCounts', () => {
	const setup = () => {
		let clock = 0;
		let open = 7;
		const asked: string[] = [];
		const counts = new OpenAlertCounts(
			async (code) => {
				asked.push(code);
				return open;
			},
			5_000,
			() => clock
		);
		const bus = new EventBus();
		counts.listen(bus);
		return {
			counts,
			bus,
			asked,
			tick: (ms: number) => (clock += ms),
			set: (n: number) => (open = n)
		};
	};

	it('asks once per region within the age, and again after it', async () => {
		const t = setup();
		expect(await t.counts.of('35')).toBe(7);
		t.set(9);
		t.tick(4_999);
		expect(await t.counts.of('35')).toBe(7);
		expect(await t.counts.of('3501')).toBe(9);
		t.tick(1);
		expect(await t.counts.of('35')).toBe(9);
		expect(t.asked).toEqual(['35', '3501', '35']);
	});

	it('forgets every count when this process changes an alert', async () => {
		const t = setup();
		await t.counts.of('id');
		t.set(8);
		t.bus.emit('alerts', []);
		expect(await t.counts.of('id')).toBe(7);
		t.bus.emit('alerts', [
			{ id: 1, rule: 'silent_pantarlih', subject: '3501012001001', status: 'open' } as never
		]);
		expect(await t.counts.of('id')).toBe(8);
	});

	it('does not keep a failed count', async () => {
		let fail = true;
		const counts = new OpenAlertCounts(async () => {
			if (fail) throw new Error('connection lost');
			return 3;
		});
		await expect(counts.of('35')).rejects.toThrow('connection lost');
		fail = false;
		expect(await counts.of('35')).toBe(3);
	});
});
