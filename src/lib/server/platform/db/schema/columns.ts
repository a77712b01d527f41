// One place for column helpers so every schema file builds columns the same way.
import { timestamp } from 'drizzle-orm/pg-core';

export * from 'drizzle-orm/pg-core';

/** A point in time, stored with its zone (timestamptz), read as a Date. */
export const timestamptz = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
