/**
 * The region page's children table, shared by the page and its CSV/XLSX downloads so that all
 * list the same rows in the same order: the columns, the sort and the name filter. Pure.
 */
import { coverage } from './domain/coverage';
import { SYNC_STATE_ORDER, type SyncState } from './domain/activity';
import type { PaceStatus } from './domain/status';

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
	'never',
	'status',
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
	never: number;
	status: PaceStatus;
	forecast: { finish: string | null; atRisk: boolean } | null;
}

/** Worst first when sorted descending: at risk, behind, on track, done. */
const STATUS_ORDER: Record<PaceStatus, number> = { done: 0, onTrack: 1, behind: 2, atRisk: 3 };

export function cell(c: ChildLike, column: Column): number | string {
	switch (column) {
		case 'coverage':
			return coverage(c.verified, c.target) ?? 0;
		case 'status':
			return STATUS_ORDER[c.status];
		case 'finish':
			// Real dates (ISO) sort in time order; none (no pace yet) after every date.
			return c.forecast?.finish ?? '9999-12-31';
		default:
			return c[column];
	}
}

/** Rows whose name contains `filter` (any case), sorted by `column` (ties in code order). */
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
			const order = x < y ? -1 : x > y ? 1 : 0;
			// Ties in code order whichever way the column runs.
			return (descending ? -order : order) || (a.code < b.code ? -1 : 1);
		});
}

export const isColumn = (value: string | null): value is Column =>
	value !== null && (COLUMNS as readonly string[]).includes(value);

/** A village's TPS table: its columns, sorted the same way on the page and in its downloads. */
export const TPS_COLUMNS = [
	'number',
	'pantarlih',
	'verified',
	'target',
	'coverage',
	'gap',
	'state',
	'lastSync'
] as const;
export type TpsColumn = (typeof TPS_COLUMNS)[number];

export interface TpsLike {
	code: string;
	number: string;
	pantarlih: string;
	verified: number;
	target: number;
	gap: number;
	state: SyncState;
	lastSyncAt: number | null;
}

function tpsCell(r: TpsLike, column: TpsColumn): number | string {
	switch (column) {
		case 'coverage':
			return coverage(r.verified, r.target) ?? 0;
		case 'state':
			// Worst first when ascending: never synced, silent, stuck, stalled, active, done.
			return SYNC_STATE_ORDER.indexOf(r.state);
		case 'lastSync':
			// Never synced before the longest silence.
			return r.lastSyncAt ?? -1;
		default:
			return r[column];
	}
}

/** TPS sorted by `column` either way, ties in code order. */
export function arrangeTps<T extends TpsLike>(
	rows: readonly T[],
	column: TpsColumn,
	descending: boolean
): T[] {
	return [...rows].sort((a, b) => {
		const [x, y] = [tpsCell(a, column), tpsCell(b, column)];
		const order = x < y ? -1 : x > y ? 1 : 0;
		return (descending ? -order : order) || (a.code < b.code ? -1 : 1);
	});
}

export const isTpsColumn = (value: string | null): value is TpsColumn =>
	value !== null && (TPS_COLUMNS as readonly string[]).includes(value);
