/**
 * SQL fragments that several queries need, each said one way: which codes lie inside a region,
 * and a timestamp as milliseconds since the epoch (the unit every TypeScript time uses).
 */
import { sql, type SQL } from 'drizzle-orm';
import { NATION_CODE } from '../../../domain/codes';

/**
 * The codes (region, TPS or alert subject) that lie inside `code` or are `code` itself, as a range
 * over the column's index: every code inside a region starts with its code, and codes are digits,
 * which sort before 'a'. The nation contains everything.
 */
export function withinRegion(column: SQL, code: string): SQL {
	if (code === NATION_CODE) return sql`true`;
	return sql`(${column} >= ${code} and ${column} < ${code + 'a'})`;
}

/**
 * A timestamptz column or expression as whole ms since the epoch (float8; null stays null):
 * rounded, so a time stored with microseconds (a default now(), a restore) reads as the same
 * millisecond everywhere.
 */
export const epochMs = (column: SQL) => sql`round(extract(epoch from ${column}) * 1000)::float8`;

/**
 * `column = any(values)`: the list as one text[] parameter, however long, which the planner
 * sizes by its length (an index lookup per value for a short list; a JSON set-returning
 * function instead made it read the whole table).
 */
export const inList = (column: SQL, values: readonly string[]): SQL =>
	sql`${column} = any(${textArray(values)}::text[])`;

/** A PostgreSQL array literal of texts: each quoted, `"` and `\` escaped. */
export const textArray = (values: readonly string[]) =>
	`{${values.map((v) => `"${v.replace(/[\\"]/g, '\\$&')}"`).join(',')}}`;
