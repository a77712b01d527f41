import { describe, expect, it } from 'vitest';
import { canonicalLine, childLines, countedSteps, effects, type EvidenceRow } from './evidence';
import { isoTime } from './calendar';

const row = (over: Partial<EvidenceRow> = {}): EvidenceRow => ({
	id: '6f1d2c3b-8a9e-4f00-9b1a-2c3d4e5f6a7b',
	tps: '3501010001001',
	recordedAt: Date.parse('2026-11-23T09:15:00+07:00'),
	receivedAt: Date.parse('2026-11-23T02:15:03.120Z'),
	verified: 42,
	tms: 1,
	newVoters: 0,
	pending: 3,
	app: '2.1.0',
	battery: 0.8,
	lat: -8.19,
	lng: 111.1,
	deviceToken: 7,
	...over
});

describe('canonicalLine', () => {
	it('writes the fields in the defined order, times in UTC with milliseconds, one line', () => {
		expect(canonicalLine(row())).toBe(
			'{"id":"6f1d2c3b-8a9e-4f00-9b1a-2c3d4e5f6a7b","tps":"3501010001001",' +
				'"recordedAt":"2026-11-23T02:15:00.000Z","receivedAt":"2026-11-23T02:15:03.120Z",' +
				'"verified":42,"tms":1,"newVoters":0,"pending":3,"app":"2.1.0","battery":0.8,' +
				'"lat":-8.19,"lng":111.1,"deviceToken":7}\n'
		);
	});

	it('writes what was not sent as null, and escapes text so that it stays one line', () => {
		const line = canonicalLine(row({ app: 'a"b\nc', battery: null, lat: null, lng: null }));
		expect(line.split('\n')).toHaveLength(2);
		expect(line).toContain('"app":"a\\"b\\nc","battery":null,"lat":null,"lng":null');
	});

	it('is JSON.stringify of the fields in order, whatever the values', () => {
		// The definition the README gives, against the line written field by field.
		const reference = (h: EvidenceRow) =>
			JSON.stringify({
				id: h.id,
				tps: h.tps,
				recordedAt: new Date(h.recordedAt).toISOString(),
				receivedAt: new Date(h.receivedAt).toISOString(),
				verified: h.verified,
				tms: h.tms,
				newVoters: h.newVoters,
				pending: h.pending,
				app: h.app,
				battery: h.battery,
				lat: h.lat,
				lng: h.lng,
				deviceToken: h.deviceToken
			}) + '\n';
		let seed = 7;
		const next = () => (seed = (seed * 48271) % 2147483647) / 2147483647;
		const odd = [null, 0, -0, 1e-7, 123456789.125, -8.12345678901234, NaN, Infinity, 1e21];
		for (let i = 0; i < 20_000; i++) {
			const h = row({
				recordedAt: Math.floor(next() * 4e12),
				receivedAt: i % 97 === 0 ? -Math.floor(next() * 1e12) : Math.floor(next() * 4e12),
				verified: Math.floor(next() * 1000),
				app: i % 5 === 0 ? null : String.fromCharCode(...[0, 1, 2].map(() => next() * 0x2fff)),
				battery: odd[i % odd.length],
				lat: i % 3 === 0 ? null : next() * 180 - 90,
				lng: odd[(i + 4) % odd.length]
			});
			expect(canonicalLine(h)).toBe(reference(h));
		}
	});

	it('writes times as toISOString does, far ones included', () => {
		for (const ms of [0, 1, 59_999, 3_599_999, 3_600_000, 951_782_400_000, 253_402_300_799_999])
			expect(isoTime(ms)).toBe(new Date(ms).toISOString());
		expect(isoTime(253_402_300_800_000)).toBe('+010000-01-01T00:00:00.000Z');
		expect(isoTime(-1)).toBe('1969-12-31T23:59:59.999Z');
	});
});

describe('childLines', () => {
	it('lists children in code order, one "code digest" line each', () => {
		expect(
			childLines(
				new Map([
					['3502', 'bb'],
					['3501', 'aa']
				])
			)
		).toBe('3501 aa\n3502 bb\n');
		expect(childLines(new Map())).toBe('');
	});
});

describe('effects', () => {
	const at = (minute: number) => Date.parse('2026-11-23T02:00:00Z') + minute * 60_000;
	const hb = (id: string, recorded: number, received: number, verified: number) => ({
		id,
		recordedAt: at(recorded),
		receivedAt: at(received),
		verified
	});

	it('a late, older snapshot is stored but moves nothing', () => {
		const result = effects(null, [hb('a', 0, 1, 10), hb('b', 10, 11, 30), hb('late', 5, 20, 20)]);
		expect(result.get('a')).toEqual({ moved: true, from: null, to: 10 });
		expect(result.get('b')).toEqual({ moved: true, from: 10, to: 30 });
		expect(result.get('late')).toEqual({ moved: false, current: 30 });
	});

	it('replays one commit in recorded order, whatever order the rows come in', () => {
		const batch = [hb('second', 5, 9, 25), hb('first', 3, 9, 20)];
		const result = effects({ recordedAt: at(0), verified: 10 }, batch);
		expect(result.get('first')).toEqual({ moved: true, from: 10, to: 20 });
		expect(result.get('second')).toEqual({ moved: true, from: 20, to: 25 });
	});

	it('as late with a larger count moves it; as late and not larger does not', () => {
		const result = effects({ recordedAt: at(5), verified: 20 }, [
			hb('same', 5, 6, 20),
			hb('more', 5, 7, 21)
		]);
		expect(result.get('same')).toEqual({ moved: false, current: 20 });
		expect(result.get('more')).toEqual({ moved: true, from: 20, to: 21 });
	});

	it('steps once per commit, at the count the commit left (not the last row listed)', () => {
		// A backlog of three arrives in one commit, listed newest-recorded first.
		const backlog = [hb('newest', 30, 40, 53), hb('oldest', 10, 40, 27), hb('middle', 20, 40, 38)];
		const later = hb('after', 50, 60, 60);
		const all = [...backlog, later];
		expect(countedSteps(all, effects(null, all))).toEqual([
			{ at: at(40), verified: 53 },
			{ at: at(60), verified: 60 }
		]);
	});
});
