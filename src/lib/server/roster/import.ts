/**
 * Importing TPS targets and Pantarlih rosters from CSV or XLSX: read the file (csv-parse,
 * exceljs), check every row against the database (domain/roster.ts), and apply the changes in one
 * transaction. Nothing is written while the check finds errors, unless the caller asks for the
 * valid rows only.
 */
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { inArray, sql } from 'drizzle-orm';
import { rollUp, type CountedTps, type RegionDelta } from '../../domain/coverage';
import { isTpsCode } from '../../domain/codes';
import { normalizePhone } from '../../domain/phone';
import { checkRoster, mapHeader, type RosterChange, type RosterError } from '../../domain/roster';
import { AppError } from '../../domain/errors';
import { rows, type Database } from '../platform/db/client';
import { tps } from '../platform/db/schema';

export const MAX_IMPORT_BYTES = 30 * 1024 * 1024;

/** The file's cells as text, header first. */
export async function readRosterFile(name: string, bytes: Uint8Array): Promise<string[][]> {
	if (bytes.length > MAX_IMPORT_BYTES)
		throw new AppError('importTooLarge', { mb: MAX_IMPORT_BYTES / 1024 / 1024 });
	const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
	if (/\.xlsx$/i.test(name) || isZip) {
		const book = new ExcelJS.Workbook();
		try {
			await book.xlsx.load(
				bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer
			);
		} catch {
			throw new AppError('importNotXlsx');
		}
		const sheet = book.worksheets[0];
		if (!sheet) throw new AppError('importNoSheet');
		const table: string[][] = [];
		sheet.eachRow({ includeEmpty: true }, (row) => {
			const values = (row.values as unknown[]).slice(1);
			table.push(
				values.map((v) =>
					v === null || v === undefined ? '' : String((v as { text?: string })?.text ?? v)
				)
			);
		});
		return table;
	}
	let text: string;
	try {
		text = new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
	} catch {
		throw new AppError('importNotText');
	}
	const delimiter =
		(text.split('\n')[0].match(/;/g)?.length ?? 0) > (text.split('\n')[0].match(/,/g)?.length ?? 0)
			? ';'
			: ',';
	try {
		return parse(text, {
			delimiter,
			relax_column_count: true,
			skip_empty_lines: true,
			trim: true
		}) as string[][];
	} catch (error) {
		throw new AppError('importBadCsv', { detail: (error as Error).message });
	}
}

export interface Preview {
	changes: RosterChange[];
	errors: RosterError[];
	unchanged: number;
	rows: number;
	targets: number;
	people: number;
}

/** Checks a file's rows against the database and the importer's scope. */
export async function previewImport(
	db: Database,
	table: string[][],
	scope: string
): Promise<Preview> {
	if (table.length === 0) throw new AppError('importEmpty');
	const map = mapHeader(table[0]);
	const column = (index: number) =>
		index < 0 ? [] : table.slice(1).map((r) => String(r[index] ?? '').trim());
	// Current values of every TPS the file names, and who holds each of its phones now.
	const current = new Map<string, { target: number; name: string; phone: string }>();
	const owners = new Map<string, string>();
	const tpsCodes = [...new Set(column(map.tps).filter(isTpsCode))];
	for (let i = 0; i < tpsCodes.length; i += 20_000) {
		const chunk = JSON.stringify(tpsCodes.slice(i, i + 20_000));
		for (const r of await rows<{ code: string; target: number; name: string; phone: string }>(
			db,
			sql`select t.code, t.target, p.name, p.phone from tps t join pantarlih p on p.tps_code = t.code
				where t.code in (select json_array_elements_text(${chunk}::json))`
		))
			current.set(r.code, r);
	}
	const phones = [
		...new Set(
			column(map.phone)
				.map(normalizePhone)
				.filter((p): p is string => p !== null)
		)
	];
	for (let i = 0; i < phones.length; i += 20_000) {
		const chunk = JSON.stringify(phones.slice(i, i + 20_000));
		for (const r of await rows<{ phone: string; tps: string }>(
			db,
			sql`select phone, tps_code as tps from pantarlih where phone in (select json_array_elements_text(${chunk}::json))`
		))
			owners.set(r.phone, r.tps);
	}
	const result = checkRoster(
		table,
		(tps) => current.get(tps),
		(phone) => owners.get(phone),
		(tps) => scope === 'id' || tps.startsWith(scope)
	);
	return {
		...result,
		rows: table.length - 1,
		targets: result.changes.filter((c) => c.target !== undefined).length,
		people: result.changes.filter((c) => c.name !== undefined || c.phone !== undefined).length
	};
}

/**
 * Writes an import's changes in one transaction (a savepoint inside the caller's; phones in two
 * steps, so that two TPS may swap numbers) and returns what its target changes do to every region
 * above the TPS. The TPS rows are locked before they change, so a sync committing at the same
 * moment is counted against the old target or the new one, never lost between them.
 */
export async function applyImport(
	db: Database,
	changes: readonly RosterChange[]
): Promise<Map<string, RegionDelta>> {
	return db.transaction(async (tx) => {
		const moved: { before: CountedTps; after: CountedTps }[] = [];
		const targets = changes.filter((c) => c.target !== undefined);
		for (let i = 0; i < targets.length; i += 10_000) {
			const chunk = targets.slice(i, i + 10_000);
			const locked = await tx
				.select({
					code: tps.code,
					target: tps.target,
					verified: tps.verified,
					recordedAt: tps.recordedAt
				})
				.from(tps)
				.where(
					inArray(
						tps.code,
						chunk.map((c) => c.tps)
					)
				)
				.for('update');
			const next = new Map(chunk.map((c) => [c.tps, c.target!]));
			for (const row of locked) {
				const before = { ...row, recordedAt: row.recordedAt?.getTime() ?? null };
				moved.push({ before, after: { ...before, target: next.get(row.code)! } });
			}
		}
		for (let i = 0; i < changes.length; i += 10_000) {
			const chunk = JSON.stringify(
				changes.slice(i, i + 10_000).map((c) => ({
					tps: c.tps,
					target: c.target ?? null,
					name: c.name ?? null,
					phone: c.phone ?? null
				}))
			);
			await tx.execute(sql`update tps set target = x.target
				from json_to_recordset(${chunk}::json) as x(tps text, target int, name text, phone text)
				where tps.code = x.tps and x.target is not null`);
			await tx.execute(sql`update pantarlih set phone = pantarlih.phone || '#' || pantarlih.id
				from json_to_recordset(${chunk}::json) as x(tps text, target int, name text, phone text)
				where pantarlih.tps_code = x.tps and x.phone is not null`);
		}
		for (let i = 0; i < changes.length; i += 10_000) {
			const chunk = JSON.stringify(
				changes
					.slice(i, i + 10_000)
					.map((c) => ({ tps: c.tps, name: c.name ?? null, phone: c.phone ?? null }))
			);
			await tx.execute(sql`update pantarlih set name = coalesce(x.name, pantarlih.name),
					phone = coalesce(x.phone, pantarlih.phone), simulated = false
				from json_to_recordset(${chunk}::json) as x(tps text, name text, phone text)
				where pantarlih.tps_code = x.tps and (x.name is not null or x.phone is not null)`);
		}
		return rollUp(moved);
	});
}
