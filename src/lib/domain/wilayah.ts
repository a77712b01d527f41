/**
 * The 2024 hierarchy file (KPU via KawalPemilu 2024): `names` maps region codes to names and
 * `tps` maps a village code to `[n]` (TPS 1..n) or `[n, k, j]` (TPS 1..n plus k..j).
 * Parsing is pure so that it can be tested without the file.
 */
import { z } from 'zod';
import { NATION_CODE, parentCode, regionLevel, tpsCode, type RegionLevel } from './codes';

export const NATION_NAME = 'INDONESIA';

const tpsRangeSchema = z
	.array(z.number().int().min(0).max(999))
	.refine((range) => range.length === 1 || range.length === 3, 'expected [n] or [n, k, j]');

const wilayahSchema = z.object({
	names: z.record(z.string(), z.string()),
	tps: z.record(z.string(), tpsRangeSchema)
});

export type WilayahFile = z.infer<typeof wilayahSchema>;

export interface RegionRow {
	code: string;
	level: RegionLevel;
	name: string;
	parentCode: string | null;
}

export interface TpsRow {
	code: string;
	villageCode: string;
	number: number;
	/** Position in national order (villages by code, TPS by number): stable across subsets. */
	index: number;
}

/** 1,140 villages (mostly in Papua) have no name in the KPU list: label them, never drop them. */
export const unnamedRegion = (code: string) => `TANPA NAMA (${code})`;

export class WilayahError extends Error {
	override name = 'WilayahError';
}

/** Validates the file's shape and its codes; throws a WilayahError naming the first problem. */
export function parseWilayah(input: unknown): WilayahFile {
	const parsed = wilayahSchema.safeParse(input);
	if (!parsed.success) {
		const issue = parsed.error.issues[0];
		throw new WilayahError(
			`hierarchy file is malformed at ${issue.path.join('.') || '(root)'}: ${issue.message}`
		);
	}
	const { names, tps } = parsed.data;
	for (const code of Object.keys(names)) {
		const level = regionLevel(code);
		if (level === null || level === 'nation') {
			throw new WilayahError(`hierarchy file has an invalid region code ${JSON.stringify(code)}`);
		}
		const parent = parentCode(code);
		if (parent !== NATION_CODE && parent !== null && !(parent in names)) {
			throw new WilayahError(`region ${code} has no parent ${parent} in the hierarchy file`);
		}
	}
	for (const [village, range] of Object.entries(tps)) {
		if (regionLevel(village) !== 'village' || !(village in names)) {
			throw new WilayahError(`TPS listed for unknown village ${JSON.stringify(village)}`);
		}
		if (range.length === 3 && (range[1] > range[2] || range[1] <= range[0])) {
			throw new WilayahError(`village ${village} has an invalid extra TPS range ${range}`);
		}
	}
	return parsed.data;
}

/** Regions, parents before children (nation first), optionally limited to some provinces. */
export function regionRows(file: WilayahFile, provinces?: ReadonlySet<string>): RegionRow[] {
	const rows: RegionRow[] = [
		{ code: NATION_CODE, level: 'nation', name: NATION_NAME, parentCode: null }
	];
	const codes = Object.keys(file.names).sort((a, b) => a.length - b.length || compare(a, b));
	for (const code of codes) {
		if (provinces && !provinces.has(code.slice(0, 2))) continue;
		rows.push({
			code,
			level: regionLevel(code) as RegionLevel,
			name: file.names[code].trim() || unnamedRegion(code),
			parentCode: parentCode(code)
		});
	}
	return rows;
}

function tpsNumbers(range: readonly number[]): number[] {
	const numbers: number[] = [];
	for (let n = 1; n <= range[0]; n++) numbers.push(n);
	if (range.length === 3) for (let n = range[1]; n <= range[2]; n++) numbers.push(n);
	return numbers;
}

/** Every TPS in national order, optionally limited to some provinces (indexes stay national). */
export function tpsRows(file: WilayahFile, provinces?: ReadonlySet<string>): TpsRow[] {
	const rows: TpsRow[] = [];
	let index = 0;
	for (const village of Object.keys(file.tps).sort(compare)) {
		const numbers = tpsNumbers(file.tps[village]);
		if (provinces && !provinces.has(village.slice(0, 2))) {
			index += numbers.length;
			continue;
		}
		for (const number of numbers) {
			rows.push({ code: tpsCode(village, number), villageCode: village, number, index: index++ });
		}
	}
	return rows;
}

export function provinceCodes(file: WilayahFile): string[] {
	return Object.keys(file.names)
		.filter((code) => code.length === 2)
		.sort(compare);
}

function compare(a: string, b: string): number {
	return a < b ? -1 : a > b ? 1 : 0;
}
