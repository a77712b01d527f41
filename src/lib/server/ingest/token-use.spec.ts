import { describe, expect, it } from 'vitest';
import { TokenUseLog } from './token-use';

describe('TokenUseLog', () => {
	it('writes a token once per precision window, then again after it', () => {
		const log = new TokenUseLog(60_000);
		log.note(1, 1_000);
		log.note(1, 30_000);
		log.note(2, 30_000);
		expect([...log.take(31_000)]).toEqual([
			[1, 1_000],
			[2, 30_000]
		]);
		log.note(1, 60_999);
		expect(log.take(61_000).size).toBe(0);
		log.note(1, 61_000);
		expect([...log.take(62_000)]).toEqual([[1, 61_000]]);
	});

	it('keeps a failed write for the next one without losing newer uses', () => {
		const log = new TokenUseLog(60_000);
		log.note(1, 1_000);
		const failed = log.take(2_000);
		log.note(2, 3_000);
		log.restore(failed);
		expect(new Map(log.take(4_000))).toEqual(
			new Map([
				[1, 1_000],
				[2, 3_000]
			])
		);
	});

	it('forgets tokens whose window has passed', () => {
		const log = new TokenUseLog(60_000);
		for (let id = 0; id < 100; id++) log.note(id, id * 1_000);
		log.take(100_000);
		// Uses after 40 s (41 s … 99 s) are still inside the window at 100 s.
		expect(log.remembered).toBe(59);
		log.take(200_000);
		expect(log.remembered).toBe(0);
	});
});
