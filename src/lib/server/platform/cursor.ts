/**
 * Opaque page cursors for keyset paging (the chronology API): the position, signed with a key the
 * server made once and keeps in the database (every process signs and checks alike, across
 * restarts). A cursor the server did not issue, or one altered, is refused with 400, never read.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { AppError } from '../../domain/errors';
import { rows, type Database } from './db/client';

const keys = new WeakMap<Database, Promise<Buffer>>();

/** The cursor key (32 random bytes, made on first use, kept in server_secrets). */
function cursorKey(db: Database): Promise<Buffer> {
	const name = 'cursor';
	let key = keys.get(db);
	if (!key) {
		key = (async () => {
			await db.execute(
				sql`insert into server_secrets (name, value) values (${name}, ${randomBytes(32).toString('base64')})
					on conflict (name) do nothing`
			);
			const [{ value }] = await rows<{ value: string }>(
				db,
				sql`select value from server_secrets where name = ${name}`
			);
			return Buffer.from(value, 'base64');
		})();
		key.catch(() => keys.delete(db));
		keys.set(db, key);
	}
	return key;
}

const sign = (key: Buffer, payload: string) =>
	createHmac('sha256', key).update(payload).digest('base64url').slice(0, 22);

export async function issueCursor(db: Database, position: unknown): Promise<string> {
	const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
	return `${payload}.${sign(await cursorKey(db), payload)}`;
}

/** The position a cursor holds; AppError 400 for anything the server did not issue. */
export async function readCursor<T>(
	db: Database,
	cursor: string,
	check: (value: unknown) => value is T
): Promise<T> {
	const [payload, signature, extra] = cursor.split('.');
	const expected = payload ? sign(await cursorKey(db), payload) : '';
	if (
		!payload ||
		!signature ||
		extra !== undefined ||
		// base64url only, so that equal lengths in characters are equal lengths in bytes.
		!/^[A-Za-z0-9_-]+$/.test(signature) ||
		signature.length !== expected.length ||
		!timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
	)
		throw new AppError('badCursor');
	let value: unknown;
	try {
		value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
	} catch {
		throw new AppError('badCursor');
	}
	if (!check(value)) throw new AppError('badCursor');
	return value;
}
