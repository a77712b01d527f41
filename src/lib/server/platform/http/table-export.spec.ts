import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { csvBody, csvField, defuse, xlsxBody, zoneWallClock, type Table } from './table-export';

// 2026-12-02 01:03:33.960 UTC is 08:03 WIB, 09:03 WITA, 10:03 WIT.
const AT = Date.parse('2026-12-02T01:03:33.960Z');

const table = (zone: Table['zone']): Table => ({
	name: 'x',
	sheet: 'Pantarlih: Desa/Kel',
	zone,
	rows: [
		[
			{ header: 'Kode', value: '3501012001001', kind: 'text' },
			{ header: 'Telepon', value: '+6281234567890', kind: 'text' },
			{ header: 'Status', value: 'belum pernah' },
			{ header: `Sinkron terakhir (${zone})`, value: AT, kind: 'time' },
			{ header: 'Terverifikasi', value: 1234, kind: 'int' },
			{ header: 'Cakupan', value: 0.4567, kind: 'percent' },
			{ header: 'Perkiraan selesai', value: '2027-03-06', kind: 'date' }
		],
		[
			{ header: 'Kode', value: '3501012001002', kind: 'text' },
			{ header: 'Telepon', value: '+6281234567891', kind: 'text' },
			{ header: 'Status', value: 'aktif' },
			{ header: `Sinkron terakhir (${zone})`, value: null, kind: 'time' },
			{ header: 'Terverifikasi', value: 0, kind: 'int' },
			{ header: 'Cakupan', value: 0, kind: 'percent' },
			{ header: 'Perkiraan selesai', value: null, kind: 'date' }
		]
	]
});

describe('zoneWallClock', () => {
	it('writes the wall clock of each zone, not UTC', () => {
		expect(zoneWallClock(AT, 'WIB')).toBe('2026-12-02 08:03');
		expect(zoneWallClock(AT, 'WITA')).toBe('2026-12-02 09:03');
		expect(zoneWallClock(AT, 'WIT')).toBe('2026-12-02 10:03');
		// Across midnight: 23:30 UTC is the next day in WIB.
		expect(zoneWallClock(Date.parse('2026-12-01T23:30:00Z'), 'WIB')).toBe('2026-12-02 06:30');
	});
});

describe('csvField', () => {
	it('reads back as the same text in a CSV reader, and leaves plain text unquoted', () => {
		const texts = ['2.4.1', 'a,b', 'say "hi"', 'two\nlines', 'cr\r', '', ' spaced ', 'é,ü'];
		const line = texts.map(csvField).join(',') + '\n';
		expect(parse(line, { relax_column_count: false })).toEqual([texts]);
		expect(csvField('2.4.1')).toBe('2.4.1');
	});
});

describe('defuse', () => {
	it('keeps a formula from running in a spreadsheet, and phone numbers as they are', () => {
		expect(defuse('=HYPERLINK("http://x")')).toBe(`'=HYPERLINK("http://x")`);
		expect(defuse('@SUM(A1)')).toBe(`'@SUM(A1)`);
		expect(defuse('+cmd|x')).toBe(`'+cmd|x`);
		expect(defuse('-2+3')).toBe(`'-2+3`);
		expect(defuse('+6281234567890')).toBe('+6281234567890');
		expect(defuse('+62 816-****-**99')).toBe('+62 816-****-**99');
		expect(defuse('Siti Aminah')).toBe('Siti Aminah');
	});
});

describe('csvBody', () => {
	it('starts with a byte-order mark and writes local times, empty cells for nothing', () => {
		const text = csvBody(table('WITA'));
		expect(text.charCodeAt(0)).toBe(0xfeff);
		const lines = text.slice(1).trim().split('\n');
		expect(lines[0]).toBe(
			'Kode,Telepon,Status,Sinkron terakhir (WITA),Terverifikasi,Cakupan,Perkiraan selesai'
		);
		expect(lines[1]).toBe(
			'3501012001001,+6281234567890,belum pernah,2026-12-02 09:03,1234,0.4567,2027-03-06'
		);
		expect(lines[2]).toBe('3501012001002,+6281234567891,aktif,,0,0.0000,');
	});

	it('writes the header row of an empty table', () => {
		const text = csvBody({ ...table('WIB'), rows: [], headers: ['Kode', 'Nama'] });
		expect(text).toBe('\ufeffKode,Nama\n');
	});
});

describe('xlsxBody', () => {
	it('types the cells: codes and phones as text, counts as numbers, times as local dates', async () => {
		const book = new ExcelJS.Workbook();
		await book.xlsx.load(await xlsxBody(table('WIB')));
		const sheet = book.worksheets[0];
		// A sheet's name may not hold ":" or "/".
		expect(sheet.name).toBe('Pantarlih  Desa Kel');
		const row = sheet.getRow(2);
		expect(row.getCell(1).value).toBe('3501012001001');
		expect(sheet.getColumn(1).numFmt).toBe('@');
		expect(row.getCell(2).value).toBe('+6281234567890');
		expect(row.getCell(4).value).toEqual(new Date('2026-12-02T08:03:33.960Z'));
		expect(sheet.getColumn(4).numFmt).toBe('d mmm yyyy hh:mm');
		expect(row.getCell(5).value).toBe(1234);
		expect(row.getCell(6).value).toBe(0.4567);
		expect(sheet.getColumn(6).numFmt).toBe('0.0%');
		expect(row.getCell(7).value).toEqual(new Date('2027-03-06T00:00:00Z'));
		expect(sheet.getRow(3).getCell(4).value).toBeNull();
	});
});
