/**
 * One table, two downloads, the same everywhere: XLSX is the table to work with (counts as
 * numbers, codes and phones as text so a spreadsheet keeps their leading zeros and "+", shares as
 * percentages, dates and times as real dates in the region's own zone); CSV starts with a
 * byte-order mark (so spreadsheets read UTF-8) and writes times as `YYYY-MM-DD HH:MM` in the zone
 * its header names. ExcelJS writes the workbook, csv-stringify the quoting.
 */
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { isoTime, ZONES, type Zone } from '../../../domain/calendar';

export type CellKind = 'text' | 'int' | 'percent' | 'date' | 'time';

/** A cell: its column's header, its value, and how a spreadsheet should show it. */
export interface Cell {
	header: string;
	/** `date`: a local date `YYYY-MM-DD`; `time`: ms since the epoch (shown in the table's zone). */
	value: string | number | null;
	kind?: CellKind;
}

export interface Table {
	/** The file's name without extension. */
	name: string;
	/** The worksheet's name (at most 31 characters in XLSX). */
	sheet: string;
	/** The zone every `time` cell is shown in. */
	zone: Zone['name'];
	rows: Cell[][];
	/** The header row when there are no rows. */
	headers?: string[];
}

/** ms since the epoch as the wall clock of the zone, `YYYY-MM-DD HH:MM`. */
export function zoneWallClock(ms: number, zone: Zone['name']): string {
	const iso = isoTime(ms + ZONES[zone].utcOffset * 3_600_000);
	return `${iso.slice(0, 10)} ${iso.slice(11, 16)}`;
}

/** One CSV field as RFC 4180 writes it: quoted when it holds a comma, a quote or a line break. */
export const csvField = (text: string): string =>
	/[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;

/**
 * A text a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, a tab or a return first:
 * OWASP's "CSV injection") gets a leading apostrophe. Digits with spaces, dashes, brackets and
 * stars (a phone number, masked or not, a negative number) cannot call anything and stay as
 * they are.
 */
export function defuse(text: string): string {
	return /^[=+\-@\t\r]/.test(text) && !/^[+-]?[\d\s*()-]+$/.test(text) ? `'${text}` : text;
}

function csvValue(cell: Cell, zone: Zone['name']): string | number {
	if (cell.value === null) return '';
	if (typeof cell.value === 'string' && cell.kind !== 'time') return defuse(cell.value);
	if (cell.kind === 'time' && typeof cell.value === 'number')
		return zoneWallClock(cell.value, zone);
	if (cell.kind === 'percent' && typeof cell.value === 'number') return cell.value.toFixed(4);
	return cell.value;
}

/** Excel has no time zones: a time is written as the zone's wall clock. */
function xlsxValue(cell: Cell, zone: Zone['name']): string | number | Date | null {
	if (cell.value === null) return null;
	if (cell.kind === 'time' && typeof cell.value === 'number')
		return new Date(cell.value + ZONES[zone].utcOffset * 3_600_000);
	if (cell.kind === 'date' && typeof cell.value === 'string')
		return new Date(`${cell.value}T00:00:00Z`);
	return cell.value;
}

const FORMATS: Record<CellKind, string> = {
	text: '@',
	int: '#,##0',
	percent: '0.0%',
	date: 'd mmm yyyy',
	time: 'd mmm yyyy hh:mm'
};

export function csvBody(table: Table): string {
	const headers = table.rows[0]?.map((c) => c.header) ?? table.headers ?? [];
	return (
		'\ufeff' +
		stringify([headers, ...table.rows.map((row) => row.map((c) => csvValue(c, table.zone)))])
	);
}

export function xlsxBody(table: Table): Promise<ArrayBuffer> {
	return xlsxWorkbook([table]);
}

/**
 * Several tables as the sheets of one workbook (the rakor report). Each cell carries its own
 * format, so a sheet of label and value rows (a summary) shows each value as what it is.
 */
export async function xlsxWorkbook(tables: readonly Table[]): Promise<ArrayBuffer> {
	const book = new ExcelJS.Workbook();
	book.creator = 'Pantau Coklit';
	for (const table of tables) {
		const sheet = book.addWorksheet(
			table.sheet.replace(/[*?:\\/[\]]/g, ' ').slice(0, 31) || 'Data'
		);
		const headers = table.rows[0]?.map((c) => c.header) ?? table.headers ?? [];
		sheet.addRow(headers).font = { bold: true };
		// A column of one kind keeps its format on the column; a mixed one (a summary's values)
		// on each cell.
		const mixed = headers.map(
			(_, i) => new Set(table.rows.map((row) => row[i]?.kind ?? 'plain')).size > 1
		);
		for (const row of table.rows) {
			const added = sheet.addRow(row.map((c) => xlsxValue(c, table.zone)));
			row.forEach((c, i) => {
				if (mixed[i] && c.kind) added.getCell(i + 1).numFmt = FORMATS[c.kind];
			});
		}
		headers.forEach((header, i) => {
			const kinds = new Set(table.rows.map((row) => row[i]?.kind));
			const longest = Math.max(
				header.length,
				...table.rows.slice(0, 200).map((row) => String(row[i]?.value ?? '').length)
			);
			const column = sheet.getColumn(i + 1);
			column.width = Math.min(48, Math.max(12, longest + 2, kinds.has('time') ? 18 : 0));
			// One kind in the whole column: the column keeps its format for rows typed later too.
			const [only] = kinds;
			if (kinds.size === 1 && only) column.numFmt = FORMATS[only];
		});
		sheet.views = [{ state: 'frozen', ySplit: 1 }];
	}
	return (await book.xlsx.writeBuffer()) as ArrayBuffer;
}

/** The download as a response (`no-store`: it carries names and phones). */
export async function tableResponse(table: Table, format: 'csv' | 'xlsx'): Promise<Response> {
	const body = format === 'csv' ? csvBody(table) : await xlsxBody(table);
	return new Response(body, {
		headers: {
			'content-type':
				format === 'csv'
					? 'text/csv; charset=utf-8'
					: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'content-disposition': `attachment; filename="${table.name}.${format}"`,
			'cache-control': 'no-store'
		}
	});
}
