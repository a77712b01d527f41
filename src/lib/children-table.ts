/**
 * The region page's children table, shared by the page and its CSV download so that both list
 * the same rows in the same order: the columns, the sort and the name filter. Pure.
 */
import { coverage } from './domain/coverage';

export const COLUMNS = [
	'code',
	'name',
	'tps',
	'target',
	'verified',
	'coverage',
	'gap',
	'syncedToday',
	'silent',
	'finish'
] as const;
export type Column = (typeof COLUMNS)[number];

export interface ChildLike {
	code: string;
	name: string;
	tps: number;
	target: number;
	verified: number;
	gap: number;
	syncedToday: number;
	silent: number;
	forecast: { finish: string | null; atRisk: boolean } | null;
}

export function cell(c: ChildLike, column: Column): number | string {
	switch (column) {
		case 'coverage':
			return coverage(c.verified, c.target) ?? 0;
		case 'finish':
			return c.forecast?.finish ?? '9999-12-31';
		default:
			return c[column];
	}
}

/** Rows whose name contains `filter` (any case), sorted by `column` (ties by code). */
export function arrange<T extends ChildLike>(
	rows: readonly T[],
	column: Column,
	descending: boolean,
	filter: string
): T[] {
	const needle = filter.trim().toLowerCase();
	return rows
		.filter((c) => c.name.toLowerCase().includes(needle))
		.sort((a, b) => {
			const [x, y] = [cell(a, column), cell(b, column)];
			const order = x < y ? -1 : x > y ? 1 : a.code < b.code ? -1 : 1;
			return descending ? -order : order;
		});
}

export const isColumn = (value: string | null): value is Column =>
	value !== null && (COLUMNS as readonly string[]).includes(value);
