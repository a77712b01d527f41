// One place for column helpers so every schema file builds columns the same way.
import { sql } from 'drizzle-orm';
import { customType, timestamp } from 'drizzle-orm/pg-core';

export * from 'drizzle-orm/pg-core';

/** A point in time, stored with its zone (timestamptz), read as a Date. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });

/**
 * The application's "now" (migration 0016): the demo's compressed clock while a demo runs, the real
 * clock otherwise. For times shown beside heartbeats; security timing (sessions) keeps now().
 */
export const appNow = sql`app_now()`;

/** Bytes (bytea), read as a Buffer. */
export const bytea = customType<{ data: Buffer; driverData: Buffer }>({ dataType: () => 'bytea' });
