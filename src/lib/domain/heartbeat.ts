/**
 * The e-Coklit sync request, `POST /api/v1/heartbeats`: parsing and per-item checks, pure.
 * Wrong JSON or a wrong shape (a missing field, a string where a number belongs, an unknown
 * field) fails the whole request with a message naming the field; values out of range reject
 * that item only, with a reason a person understands.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { isTpsCode } from './codes';
import { describeZodError } from './validation';

export const MAX_ITEMS = 500;
export const MAX_COUNT = 5_000;
export const MAX_FUTURE_MS = 10 * 60_000;

const count = z.number();
const itemSchema = z.strictObject({
	id: z.uuid({ message: 'must be a UUID' }),
	tps: z.string(),
	verified: count,
	tms: count.optional(),
	newVoters: count.optional(),
	pending: count.optional(),
	recordedAt: z.iso.datetime({ offset: true, message: 'must be an ISO 8601 time with an offset' }),
	// Printable text only: a NUL byte would make PostgreSQL refuse the whole group commit.
	app: z
		.string()
		.max(64)
		.regex(/^[^\p{Cc}]*$/u, 'must be printable text (no control characters)')
		.optional(),
	battery: z.number().optional(),
	lat: z.number().optional(),
	lng: z.number().optional()
});

const bodySchema = z.strictObject({
	heartbeats: z
		.array(itemSchema)
		.min(1, 'must hold at least one heartbeat')
		.max(MAX_ITEMS, `must hold at most ${MAX_ITEMS} heartbeats`)
});

export type HeartbeatInput = z.infer<typeof itemSchema>;

/** An item that passed every check, ready to store. */
export interface HeartbeatItem {
	id: string;
	tps: string;
	verified: number;
	tms: number;
	newVoters: number;
	pending: number;
	recordedAt: number;
	app: string | null;
	battery: number | null;
	lat: number | null;
	lng: number | null;
}

export interface Rejection {
	id: string;
	error: string;
	/** For a refusal a phone must act on: `idConflict` (the id names another heartbeat). */
	reason?: 'idConflict';
}

export class RequestShapeError extends Error {
	override name = 'RequestShapeError';
}

/** Parses the body text; throws RequestShapeError naming the first bad field. */
export function parseBody(text: string): HeartbeatInput[] {
	let json: unknown;
	try {
		json = JSON.parse(text);
	} catch {
		throw new RequestShapeError('the body is not valid JSON');
	}
	const result = bodySchema.safeParse(json);
	if (!result.success) throw new RequestShapeError(describeZodError(result.error));
	return result.data.heartbeats;
}

const countFields = ['verified', 'tms', 'newVoters', 'pending'] as const;

/**
 * Checks an item's values (not its TPS assignment, which needs the token): counts are whole
 * numbers in 0..5000, the time is at most 10 minutes ahead of `now`, battery within 0..1,
 * coordinates on Earth. Returns the item ready to store, or the reason it is rejected.
 */
export function checkItem(input: HeartbeatInput, now: number): HeartbeatItem | Rejection {
	const reject = (error: string): Rejection => ({ id: input.id, error });
	if (!isTpsCode(input.tps))
		return reject(`tps ${JSON.stringify(input.tps)} is not a 13-digit TPS code`);
	for (const field of countFields) {
		const value = input[field];
		if (value === undefined) continue;
		if (!Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
			return reject(`${field} ${value} is out of range: a whole number from 0 to ${MAX_COUNT}`);
		}
	}
	const recordedAt = Date.parse(input.recordedAt);
	if (recordedAt > now + MAX_FUTURE_MS) {
		return reject(
			`recordedAt ${input.recordedAt} is more than 10 minutes in the future; check the phone's clock`
		);
	}
	if (input.battery !== undefined && !(input.battery >= 0 && input.battery <= 1)) {
		return reject(`battery ${input.battery} is out of range 0..1`);
	}
	if (input.lat !== undefined && !(input.lat >= -90 && input.lat <= 90)) {
		return reject(`lat ${input.lat} is out of range -90..90`);
	}
	if (input.lng !== undefined && !(input.lng >= -180 && input.lng <= 180)) {
		return reject(`lng ${input.lng} is out of range -180..180`);
	}
	if ((input.lat === undefined) !== (input.lng === undefined)) {
		return reject('lat and lng must be sent together');
	}
	return {
		id: input.id.toLowerCase(),
		tps: input.tps,
		verified: input.verified,
		tms: input.tms ?? 0,
		newVoters: input.newVoters ?? 0,
		pending: input.pending ?? 0,
		recordedAt,
		app: input.app ?? null,
		// As stored: the battery a float4 (rounded once, here, so that the leaf and the fingerprint
		// hashed in Node are those of the stored row), and no negative zero anywhere.
		battery: input.battery === undefined ? null : Math.fround(input.battery) + 0,
		lat: input.lat === undefined ? null : input.lat + 0,
		lng: input.lng === undefined ? null : input.lng + 0
	};
}

export const isRejection = (value: HeartbeatItem | Rejection): value is Rejection =>
	'error' in value;

/**
 * What a phone sent under one id, as a 16-byte fingerprint: the same bytes as the database's
 * heartbeat_content() (migration 0019) over the stored row, so that an id re-sent with other content
 * is told from a re-send (`idConflict`). Exact binary forms: the recorded time in microseconds,
 * the counts as 32-bit integers, the battery as the float4 stored, coordinates as float8, each
 * optional field behind a presence byte, the app's text behind its length.
 */
export function contentFingerprint(item: HeartbeatItem): Buffer {
	const parts: Buffer[] = [];
	const int8 = Buffer.alloc(8);
	int8.writeBigInt64BE(BigInt(Math.round(item.recordedAt * 1000)));
	parts.push(int8);
	for (const n of [item.verified, item.tms, item.newVoters, item.pending]) {
		const int4 = Buffer.alloc(4);
		int4.writeInt32BE(n);
		parts.push(int4);
	}
	const optional = (value: number | null, bytes: 4 | 8) => {
		if (value === null) return parts.push(Buffer.of(0));
		const b = Buffer.alloc(1 + bytes);
		b[0] = 1;
		if (bytes === 4) b.writeFloatBE(value, 1);
		else b.writeDoubleBE(value, 1);
		parts.push(b);
	};
	optional(item.battery, 4);
	optional(item.lat, 8);
	optional(item.lng, 8);
	if (item.app === null) parts.push(Buffer.of(0));
	else {
		const text = Buffer.from(item.app, 'utf8');
		const head = Buffer.alloc(5);
		head[0] = 1;
		head.writeInt32BE(text.length, 1);
		parts.push(head, text);
	}
	parts.push(Buffer.from(item.tps, 'utf8'));
	return createHash('sha256').update(Buffer.concat(parts)).digest().subarray(0, 16);
}
