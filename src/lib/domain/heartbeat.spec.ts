import { describe, expect, it } from 'vitest';
import {
	checkItem,
	isRejection,
	parseBody,
	RequestShapeError,
	type HeartbeatInput
} from './heartbeat';

const NOW = Date.parse('2026-02-20T10:00:00+07:00');
const item = (extra: Record<string, unknown> = {}) => ({
	id: '0b7f3a52-7c1e-4d1a-9e57-1f2b3c4d5e6f',
	tps: '3523012001001',
	verified: 40,
	recordedAt: '2026-02-20T09:55:00+07:00',
	...extra
});
const body = (...items: unknown[]) => JSON.stringify({ heartbeats: items });

describe('parseBody: whole-request errors name the field', () => {
	it.each([
		['not JSON', '{"heartbeats": [', /not valid JSON/],
		['no heartbeats', '{}', /heartbeats: /],
		['an empty list', body(), /heartbeats: must hold at least one/],
		['501 items', body(...Array.from({ length: 501 }, () => item())), /at most 500/],
		['a string count', body(item({ verified: '40' })), /heartbeats\[0\]\.verified: /],
		['a missing id', body({ ...item(), id: undefined }), /heartbeats\[0\]\.id/],
		['a non-UUID id', body(item({ id: 'abc' })), /heartbeats\[0\]\.id: must be a UUID/],
		[
			'a time without offset',
			body(item({ recordedAt: '2026-02-20T09:55:00' })),
			/recordedAt: must be an ISO 8601 time with an offset/
		],
		['an unknown field', body(item({ voters: 3 })), /unknown field heartbeats\[0\]\.voters/],
		[
			'an unknown top-level field',
			JSON.stringify({ heartbeats: [item()], x: 1 }),
			/unknown field x/
		],
		['an array body', '[]', /body: /]
	])('%s', (_name, text, message) => {
		expect(() => parseBody(text)).toThrow(RequestShapeError);
		expect(() => parseBody(text)).toThrow(message);
	});

	it('accepts a well-formed batch', () => {
		expect(parseBody(body(item(), item({ verified: 41 })))).toHaveLength(2);
	});
});

describe('checkItem: values out of range reject the item only', () => {
	const check = (extra: Record<string, unknown>) => checkItem(item(extra) as HeartbeatInput, NOW);

	it.each([
		[{ verified: -1 }, /verified -1 is out of range/],
		[{ pending: 1.5 }, /pending 1.5 is out of range/],
		[{ tms: 5001 }, /tms 5001 is out of range/],
		[{ recordedAt: '2026-02-20T10:11:00+07:00' }, /more than 10 minutes in the future/],
		[{ battery: 1.2 }, /battery 1.2 is out of range/],
		[{ lat: 91, lng: 100 }, /lat 91 is out of range/],
		[{ lat: -7 }, /lat and lng must be sent together/],
		[{ tps: '35230120010' }, /not a 13-digit TPS code/]
	])('%j', (extra, reason) => {
		const result = check(extra);
		expect(isRejection(result)).toBe(true);
		expect((result as { error: string }).error).toMatch(reason);
	});

	it('accepts a clock up to 10 minutes fast and fills absent counts with 0', () => {
		const result = check({ recordedAt: '2026-02-20T10:09:00+07:00' });
		expect(result).toMatchObject({ verified: 40, tms: 0, newVoters: 0, pending: 0, app: null });
		expect((result as { recordedAt: number }).recordedAt).toBe(Date.parse('2026-02-20T03:09:00Z'));
	});
	it('refuses control characters in the app version (a NUL byte would break the whole commit)', () => {
		expect(() => parseBody(body(item({ app: 'v2\u0000' })))).toThrow(/app/);
		expect(parseBody(body(item({ app: 'e-Coklit 2.4.1 (Android 13)' })))).toHaveLength(1);
	});

	it('normalises the id to lower case so that a retry in other case is still a duplicate', () => {
		const result = check({ id: '0B7F3A52-7C1E-4D1A-9E57-1F2B3C4D5E6F' });
		expect((result as { id: string }).id).toBe('0b7f3a52-7c1e-4d1a-9e57-1f2b3c4d5e6f');
	});
});
