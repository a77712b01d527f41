/**
 * Rosters and targets from a KPU office's spreadsheet, pure: every row is checked and either
 * becomes a change or an error with its row number. Columns (header names, any case; Indonesian
 * or English):
 *   kode_tps | tps_code       13-digit TPS code (required)
 *   target | target_pemilih   voters to verify, 0..300
 *   nama_pantarlih | name     the Pantarlih's name
 *   telepon | phone           the Pantarlih's phone: +628..., 628... or 08... (9 to 13 digits after 62)
 * A file may carry targets, people or both; an empty cell leaves that field as it is.
 */
import { translator } from '../i18n';
import { isTpsCode } from './codes';
import { AppError } from './errors';
import { normalizePhone } from './phone';

export const MAX_TARGET = 300;

export interface RosterChange {
	/** 1-based row number in the file (the header is row 1). */
	row: number;
	tps: string;
	target?: number;
	name?: string;
	phone?: string;
}

export type RosterProblem =
	| 'notTpsCode'
	| 'unknownTps'
	| 'outsideScope'
	| 'repeatedTps'
	| 'badTarget'
	| 'longName'
	| 'badPhone'
	| 'repeatedPhone'
	| 'phoneTaken';

export interface RosterError {
	row: number;
	column: string;
	/** What is wrong, for the page to say in its language (`rosterError.<problem>` in src/lib/i18n). */
	problem: RosterProblem;
	values: Record<string, string | number>;
	/** The same in English, for the command line and logs. */
	message: string;
}

const english = translator('en');

export interface Current {
	target: number;
	name: string;
	phone: string;
}

const COLUMNS = {
	tps: ['kode_tps', 'tps_code', 'tps'],
	target: ['target', 'target_pemilih', 'target_voters'],
	name: ['nama_pantarlih', 'nama', 'name', 'pantarlih'],
	phone: ['telepon', 'no_hp', 'phone', 'hp']
} as const;

/** Which header is which column; refused when the TPS column is missing or nothing else is there. */
export function mapHeader(header: readonly string[]): Record<keyof typeof COLUMNS, number> {
	const names = header.map((h) => h.trim().toLowerCase().replace(/\s+/g, '_'));
	const find = (options: readonly string[]) => names.findIndex((n) => options.includes(n));
	const map = {
		tps: find(COLUMNS.tps),
		target: find(COLUMNS.target),
		name: find(COLUMNS.name),
		phone: find(COLUMNS.phone)
	};
	if (map.tps < 0)
		throw new AppError('importNoTpsColumn', {
			found:
				header
					.map((h) => h.trim())
					.filter(Boolean)
					.join(', ') || '–'
		});
	if (map.target < 0 && map.name < 0 && map.phone < 0) throw new AppError('importNothingToChange');
	return map;
}

/**
 * Checks every row against the current data (`current(tps)`, undefined for an unknown TPS) and
 * `phoneOwner(phone)` (the TPS that holds a phone now). Rows that change nothing are left out, so
 * importing the same file twice changes nothing the second time. A file that cannot be read as a
 * roster at all (empty, no TPS column) is refused with an AppError.
 */
export function checkRoster(
	rows: readonly (readonly string[])[],
	current: (tps: string) => Current | undefined,
	phoneOwner: (phone: string) => string | undefined,
	inScope: (tps: string) => boolean = () => true
): { changes: RosterChange[]; errors: RosterError[]; unchanged: number } {
	if (rows.length === 0) throw new AppError('importEmpty');
	const map = mapHeader(rows[0]);
	const changes: RosterChange[] = [];
	const errors: RosterError[] = [];
	const seenTps = new Map<string, number>();
	const seenPhone = new Map<string, { row: number; tps: string }>();
	let unchanged = 0;
	// TPS whose Pantarlih gets another number in this file: their current number becomes free.
	const renumbered = new Set<string>();
	for (const cells of rows.slice(1)) {
		const tps = String(cells[map.tps] ?? '').trim();
		const phone = map.phone >= 0 ? normalizePhone(String(cells[map.phone] ?? '')) : null;
		if (phone && current(tps) && phone !== current(tps)!.phone) renumbered.add(tps);
	}
	rows.slice(1).forEach((cells, index) => {
		const row = index + 2;
		const cell = (i: number) => (i >= 0 ? String(cells[i] ?? '').trim() : '');
		if (cells.every((c) => String(c ?? '').trim() === '')) return;
		const fail = (
			column: string,
			problem: RosterProblem,
			values: Record<string, string | number> = {}
		) =>
			errors.push({
				row,
				column,
				problem,
				values,
				message: english(`rosterError.${problem}`, values)
			});
		const tps = cell(map.tps);
		if (!isTpsCode(tps)) return fail('kode_tps', 'notTpsCode', { tps });
		const now = current(tps);
		if (!now) return fail('kode_tps', 'unknownTps', { tps });
		if (!inScope(tps)) return fail('kode_tps', 'outsideScope', { tps });
		const earlier = seenTps.get(tps);
		if (earlier !== undefined) return fail('kode_tps', 'repeatedTps', { tps, row: earlier });
		seenTps.set(tps, row);
		const change: RosterChange = { row, tps };
		let bad = false;
		const targetText = cell(map.target);
		if (targetText !== '') {
			const target = Number(targetText);
			if (!Number.isInteger(target) || target < 0 || target > MAX_TARGET) {
				fail('target', 'badTarget', { target: targetText, max: MAX_TARGET });
				bad = true;
			} else if (target !== now.target) change.target = target;
		}
		const name = cell(map.name).replace(/\s+/g, ' ');
		if (name !== '') {
			if (name.length > 100) {
				fail('nama_pantarlih', 'longName', { max: 100 });
				bad = true;
			} else if (name !== now.name) change.name = name;
		}
		const phoneText = cell(map.phone);
		if (phoneText !== '') {
			const phone = normalizePhone(phoneText);
			if (!phone) {
				fail('telepon', 'badPhone', { phone: phoneText });
				bad = true;
			} else {
				const twin = seenPhone.get(phone);
				const owner = phoneOwner(phone);
				if (twin) {
					fail('telepon', 'repeatedPhone', { phone, row: twin.row });
					bad = true;
				} else if (owner && owner !== tps && !renumbered.has(owner)) {
					fail('telepon', 'phoneTaken', { phone, tps: owner });
					bad = true;
				}
				seenPhone.set(phone, { row, tps });
				if (phone !== now.phone) change.phone = phone;
			}
		}
		if (bad) return;
		if (change.target === undefined && change.name === undefined && change.phone === undefined)
			unchanged += 1;
		else changes.push(change);
	});
	return { changes, errors, unchanged };
}
