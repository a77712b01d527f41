/**
 * An audit entry in words: which fields a change touched, each before → after, for the audit
 * page (the stored entry keeps the full before and after as JSON). Pure.
 */
import { formatNumber } from '../format';

export interface FieldChange {
	/** The field's name; null when the entry's value is not a record of fields. */
	field: string | null;
	before: string | null;
	after: string | null;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
	typeof value === 'object' && value !== null && !Array.isArray(value);

const isScalar = (v: unknown) => typeof v !== 'object' || v === null;
const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/**
 * A value as a person reads it: text as is, numbers and lists compactly, a record of plain values
 * (a download's filters) as "name: value" pairs without the empty ones, nothing as null. Only
 * deeper structures stay JSON.
 */
export function showValue(value: unknown): string | null {
	if (value === null || value === undefined) return null;
	if (typeof value === 'string') return value;
	// Numbers as the pages write them (20.000, 2,5); codes are stored as text and stay as they are.
	if (typeof value === 'number')
		return Number.isInteger(value) ? formatNumber(value) : value.toLocaleString('id-ID');
	if (typeof value === 'boolean') return String(value);
	if (Array.isArray(value) && value.every(isScalar)) return value.join(', ');
	if (isRecord(value) && Object.values(value).every(isScalar)) {
		const pairs = Object.entries(value)
			.filter(([, v]) => v !== '' && v !== null && v !== undefined)
			.map(([k, v]) => `${k}: ${String(v)}`);
		return pairs.length > 0 ? pairs.join(', ') : '–';
	}
	return JSON.stringify(value);
}

/**
 * The fields that differ between before and after, in the order they first appear; every field
 * of `after` when there was no before (a creation), every field of `before` when there is no
 * after. Unchanged fields are left out.
 */
export function fieldChanges(before: unknown, after: unknown): FieldChange[] {
	if (before === null && after === null) return [];
	if ((before === null || isRecord(before)) && (after === null || isRecord(after))) {
		const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])];
		// Compared as stored (an empty text, a missing value and 1 against "1" differ), shown in words.
		return keys
			.filter((field) => !same(before?.[field], after?.[field]))
			.map((field) => ({
				field,
				before: showValue(before?.[field]),
				after: showValue(after?.[field])
			}));
	}
	if (same(before, after)) return [];
	return [{ field: null, before: showValue(before), after: showValue(after) }];
}
