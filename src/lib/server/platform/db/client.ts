/**
 * The database: PostgreSQL through postgres.js and drizzle, the server named by DATABASE_URL or
 * the embedded one the app runs itself (embedded.ts). Opening, bulk COPY, raw row access and
 * closing live here; everything else uses drizzle.
 */
import net from 'node:net';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SQL } from 'drizzle-orm';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js';
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';
import { StartupError } from '../startup-error';
import { appPath } from '../paths';
import * as schema from './schema';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
export type CopyValue = string | number | boolean | null;
export interface DatabaseHandle {
	db: Database;
	/** The driver itself, for what drizzle does not wrap (COPY streams, the PGlite move). */
	sql: postgres.Sql;
	/**
	 * Bulk-loads rows with COPY (text format), the fastest path, inside `target`:
	 * the handle's `db` or a transaction opened from it.
	 */
	copy(
		target: Database,
		table: string,
		columns: readonly string[],
		rows: Iterable<readonly CopyValue[]>
	): Promise<void>;
	migrate(): Promise<void>;
	close(): Promise<void>;
	/** Where the data lives, for messages: the folder or the server (without password). */
	describe: string;
}

export interface OpenOptions {
	/**
	 * `postgres://user:pass@host:5432/db`; a Unix socket folder as libpq writes it,
	 * `postgres://user@localhost:5432/db?host=/path/to/folder` (the embedded server's form).
	 */
	databaseUrl: string;
	poolSize?: number;
}

const migrationsFolder = () => appPath('drizzle');

export async function openDatabase(options: OpenOptions): Promise<DatabaseHandle> {
	return openPostgres(options.databaseUrl, options.poolSize ?? 10);
}

async function openPostgres(given: string, poolSize: number): Promise<DatabaseHandle> {
	const target = describeUrl(given);
	const { url, socketFolder } = splitSocketFolder(given);
	const options = {
		...(socketFolder ? { host: socketFolder } : {}),
		max: poolSize,
		onnotice: () => {},
		// Seconds before a connection that failed tries again: the driver's own grows to 20 s
		// after nine failures, which a busy server reaches within a second of a restart, so it
		// stayed unavailable for up to 20 s after PostgreSQL was back. At most 2 s here.
		backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 2),
		// TCP_NODELAY: without it a COPY over TCP stalls ~40 ms on Nagle + delayed ACK. postgres.js
		// supports a socket factory but does not declare it in its types. A Unix socket (the
		// embedded server) has no Nagle: the driver opens it itself, its listeners in place
		// before the connection is tried, so a refusal during a restart reaches them.
		...(socketFolder ? {} : { socket: connectNoDelay })
	};
	const sql = postgres(url, options as postgres.Options<Record<string, never>>);
	try {
		await sql`select 1`;
	} catch (error) {
		await sql.end({ timeout: 1 }).catch(() => {});
		throw new StartupError(
			`cannot reach PostgreSQL at ${target}: ${describePgError(error)}`,
			'Check DATABASE_URL and that the server is running, or unset DATABASE_URL to use the embedded database',
			{ cause: error }
		);
	}
	const db = drizzlePostgres(sql, { schema }) as unknown as Database;
	return {
		db,
		sql,
		describe: `PostgreSQL at ${target}`,
		async copy(target, table, columns, rows) {
			const raw = sessionClient<postgres.Sql>(target);
			const stream =
				await raw`COPY ${sql(table)} (${sql(columns as string[])}) FROM STDIN`.writable();
			await pipeline(Readable.from(copyText(rows)), stream);
		},
		async migrate() {
			await runMigration(() =>
				migratePostgres(db as never, { migrationsFolder: migrationsFolder() })
			);
		},
		async close() {
			await sql.end({ timeout: 5 });
		}
	};
}

/** Rows of a raw SQL statement on a database or transaction. */
export async function rows<T>(target: Database, query: SQL): Promise<T[]> {
	return [...((await target.execute(query)) as unknown as T[])];
}

/**
 * `rows` for a statement that runs thousands of times a second with the same text (the ingest
 * commit): prepared once per connection, so the server parses and plans it once instead of on
 * every call.
 */
export async function preparedRows<T>(target: Database, query: SQL): Promise<T[]> {
	const client = sessionClient<postgres.Sql>(target);
	const { sql: text, params } = (
		target as unknown as { dialect: { sqlToQuery(q: SQL): { sql: string; params: unknown[] } } }
	).dialect.sqlToQuery(query);
	return [
		...(await client.unsafe(text, params as postgres.ParameterOrJSON<never>[], { prepare: true }))
	] as T[];
}

/**
 * The driver connection behind a drizzle database or transaction (the pool, or the connection
 * that holds the transaction), for the one thing drizzle does not wrap: COPY.
 */
function sessionClient<T>(target: Database): T {
	return (target as unknown as { session: { client: T } }).session.client;
}

/**
 * The socket is handed over still connecting: the driver writes its start-up message once it is
 * open and hears a refusal as the socket's 'error' and 'close', which free the pool's place.
 * Awaiting 'connect' here turned a refusal (the server restarting) into a rejected factory, which
 * the driver reports to the query but never counts as closed: each refusal kept a place of the
 * pool for ever (tests/integration/reconnect.test.ts).
 */
async function connectNoDelay(options: { host: string[]; port: number[] }) {
	return net.connect({ host: options.host[0], port: options.port[0], noDelay: true });
}

async function runMigration(run: () => Promise<void>): Promise<void> {
	try {
		await run();
	} catch (error) {
		throw new StartupError(
			`database migration failed: ${describePgError(error)}`,
			'The database was left as it was before the failed migration; fix the cause and start again',
			{ cause: error }
		);
	}
}

/** Text-format COPY lines in chunks of about 64 KB. */
function* copyText(rows: Iterable<readonly CopyValue[]>): Generator<string> {
	let chunk = '';
	for (const row of rows) {
		chunk += row.map(copyField).join('\t') + '\n';
		if (chunk.length > 65_536) {
			yield chunk;
			chunk = '';
		}
	}
	if (chunk) yield chunk;
}

function copyField(value: CopyValue): string {
	if (value === null) return '\\N';
	if (typeof value === 'boolean') return value ? 't' : 'f';
	if (typeof value === 'number') return String(value);
	return value.replace(
		/[\\\t\n\r]/g,
		(c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c]!
	);
}

/** libpq's `?host=/folder` (a Unix socket), which postgres.js takes as an option, not in the URL. */
function splitSocketFolder(given: string): { url: string; socketFolder?: string } {
	let parsed: URL;
	try {
		parsed = new URL(given);
	} catch {
		return { url: given };
	}
	const socketFolder = parsed.searchParams.get('host') ?? undefined;
	if (!socketFolder?.startsWith('/')) return { url: given };
	parsed.searchParams.delete('host');
	return { url: parsed.toString(), socketFolder };
}

function describeUrl(url: string): string {
	try {
		const parsed = new URL(url);
		const socket = parsed.searchParams.get('host');
		const where = socket?.startsWith('/')
			? socket
			: `${parsed.hostname || 'localhost'}:${parsed.port || 5432}`;
		return `${where}${parsed.pathname}`;
	} catch {
		return '(unparsable DATABASE_URL)';
	}
}

export function describePgError(error: unknown): string {
	const e = error as { code?: string; message?: string; cause?: unknown; errors?: unknown[] };
	if (e?.code === 'ECONNREFUSED') return 'connection refused';
	if (e?.code === 'ENOTFOUND') return 'host not found';
	if (e?.code === 'ETIMEDOUT' || e?.code === 'CONNECT_TIMEOUT') return 'connection timed out';
	if (e?.cause && e.cause !== error) return describePgError(e.cause);
	return e?.message ?? String(error);
}
