/**
 * Loads the 2024 hierarchy and the simulated people into an empty (or partly seeded) database.
 * Province by province: a province is recorded in `seeded_provinces` only after all its rows are
 * in, and a province without that record is cleared and loaded again, so an interrupted seed is
 * never mistaken for a complete one and a second run adds nothing.
 */
import { count, sql } from 'drizzle-orm';
import { addDays, format, parseISO } from 'date-fns';
import { NATION_CODE } from '../../domain/codes';
import { localDate, ZONES } from '../../domain/calendar';
import { simulatedName, simulatedPhone, simulatedTarget } from '../../domain/simulated';
import {
	NATION_NAME,
	provinceCodes,
	regionRows,
	tpsRows,
	type RegionRow,
	type TpsRow
} from '../../domain/wilayah';
import { rows, type Database, type DatabaseHandle } from '../platform/db/client';
import { campaigns, pantarlih, regions, seededProvinces, tps } from '../platform/db/schema';
import { StartupError } from '../platform/startup-error';
import { loadWilayah } from './wilayah';

export interface SeedOptions {
	/** Province codes to load; all 38 when absent. */
	provinces?: readonly string[];
	wilayahFile?: string;
	log?: (line: string) => void;
}

export interface SeedResult {
	loaded: string[];
	alreadyLoaded: string[];
	regions: number;
	tps: number;
	seconds: number;
}

const numberFormat = new Intl.NumberFormat('en-US');

export async function seed(handle: DatabaseHandle, options: SeedOptions = {}): Promise<SeedResult> {
	const log = options.log ?? (() => {});
	const started = performance.now();
	const file = await loadWilayah(options.wilayahFile);
	log(`[seed] hierarchy file read (${elapsed(started).toFixed(1)} s)`);
	const known = provinceCodes(file);
	const wanted = options.provinces ? [...new Set(options.provinces)].sort() : known;
	const unknown = wanted.filter((code) => !known.includes(code));
	if (unknown.length > 0) {
		throw new StartupError(
			`unknown province code ${unknown.join(', ')} in SEED_PROVINCES`,
			`Use two-digit codes from the 2024 list, e.g. 35 (Jawa Timur) or 31 (DKI Jakarta)`
		);
	}
	const { db } = handle;
	const done = new Set(
		(await db.select({ code: seededProvinces.provinceCode }).from(seededProvinces)).map(
			(r) => r.code
		)
	);
	const todo = wanted.filter((code) => !done.has(code));
	const alreadyLoaded = wanted.filter((code) => done.has(code));
	if (todo.length === 0) {
		log(`[seed] nothing to do: ${wanted.length} province(s) already loaded`);
		return { loaded: [], alreadyLoaded, regions: 0, tps: 0, seconds: elapsed(started) };
	}

	log(`[seed] loading ${todo.length} province(s) into ${handle.describe}`);
	const subset = new Set(todo);
	const regionsByProvince = groupByProvince(
		regionRows(file, subset).filter((r) => r.level !== 'nation')
	);
	const tpsByProvince = groupByProvince(tpsRows(file, subset));
	let regionCount = 0;
	let tpsCount = 0;
	// One transaction: an interrupted seed leaves nothing behind, and DDL rolls back with it.
	await db.transaction(async (tx) => {
		await tx
			.insert(regions)
			.values({ code: NATION_CODE, level: 'nation', name: NATION_NAME, parentCode: null })
			.onConflictDoNothing();
		const [{ n: existingTps }] = await tx.select({ n: count() }).from(tps);
		// Maintaining indexes and checking foreign keys row by row makes COPY 3-5 times slower; on a
		// first (empty) load they are dropped and re-created, which sorts and validates every row in
		// one pass. A later partial load keeps them, so a running server is never locked out for long.
		const deferred = existingTps === 0 ? await dropKeysAndIndexes(tx, BULK_TABLES) : [];
		for (const [i, province] of todo.entries()) {
			const t0 = performance.now();
			const provinceRegions = regionsByProvince.get(province) ?? [];
			const provinceTps = tpsByProvince.get(province) ?? [];
			await loadProvince(handle, tx, provinceRegions, provinceTps);
			await tx.insert(seededProvinces).values({ provinceCode: province, tps: provinceTps.length });
			regionCount += provinceRegions.length;
			tpsCount += provinceTps.length;
			log(
				`[seed] ${String(i + 1).padStart(2)}/${todo.length} ${province} ${file.names[province]}: ` +
					`${numberFormat.format(provinceRegions.length)} regions, ` +
					`${numberFormat.format(provinceTps.length)} TPS (${elapsed(t0).toFixed(1)} s)`
			);
		}
		const t0 = performance.now();
		await recreateKeysAndIndexes(tx, deferred);
		if (deferred.length > 0) log(`[seed] keys and indexes built (${elapsed(t0).toFixed(1)} s)`);
		await ensureCampaign(tx);
	});
	const seconds = elapsed(started);
	log(
		`[seed] done: ${numberFormat.format(regionCount)} regions, ${numberFormat.format(tpsCount)} TPS ` +
			`and ${numberFormat.format(tpsCount)} simulated Pantarlih in ${seconds.toFixed(1)} s`
	);
	return { loaded: todo, alreadyLoaded, regions: regionCount, tps: tpsCount, seconds };
}

const BULK_TABLES = ['regions', 'tps', 'pantarlih'];

interface Deferred {
	table: string;
	name: string;
	kind: 'constraint' | 'index';
	/** Constraint definition (for ADD CONSTRAINT) or a full CREATE INDEX statement. */
	definition: string;
	/** Constraints that others depend on (primary and unique keys) come back before foreign keys. */
	order: number;
}

/**
 * Drops the keys and indexes of the bulk tables (and foreign keys pointing at them) and returns
 * what is needed to re-create them; everything is read from the catalog, so a migration that
 * changes a key needs no change here. Runs inside the seed's transaction.
 */
async function dropKeysAndIndexes(tx: Database, tables: string[]): Promise<Deferred[]> {
	const list = sql.join(
		tables.map((t) => sql`${t}::regclass`),
		sql`, `
	);
	const constraints = await rows<{ table: string; name: string; definition: string; type: string }>(
		tx,
		sql`select c.conrelid::regclass::text as table, c.conname as name,
				pg_get_constraintdef(c.oid) as definition, c.contype as type
			from pg_constraint c
			where c.contype in ('p', 'u', 'f')
				and (c.conrelid in (${list}) or (c.contype = 'f' and c.confrelid in (${list})))`
	);
	const indexes = await rows<{ table: string; name: string; definition: string }>(
		tx,
		sql`select i.indrelid::regclass::text as table, ic.relname as name,
				pg_get_indexdef(i.indexrelid) as definition
			from pg_index i join pg_class ic on ic.oid = i.indexrelid
			where i.indrelid in (${list})
				and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid)`
	);
	const deferred: Deferred[] = [
		...constraints.map((c) => ({
			table: c.table,
			name: c.name,
			kind: 'constraint' as const,
			definition: c.definition,
			order: c.type === 'f' ? 2 : 0
		})),
		...indexes.map((i) => ({ ...i, kind: 'index' as const, order: 1 }))
	];
	// Foreign keys first: they depend on the keys they point at.
	for (const item of [...deferred].sort((a, b) => b.order - a.order)) {
		await tx.execute(
			sql.raw(
				item.kind === 'constraint'
					? `alter table ${item.table} drop constraint "${item.name}"`
					: `drop index "${item.name}"`
			)
		);
	}
	return deferred;
}

async function recreateKeysAndIndexes(tx: Database, deferred: Deferred[]): Promise<void> {
	for (const item of [...deferred].sort((a, b) => a.order - b.order)) {
		await tx.execute(
			sql.raw(
				item.kind === 'constraint'
					? `alter table ${item.table} add constraint "${item.name}" ${item.definition}`
					: item.definition
			)
		);
	}
}

async function loadProvince(
	handle: DatabaseHandle,
	tx: Database,
	regionList: RegionRow[],
	tpsList: TpsRow[]
) {
	await handle.copy(
		tx,
		'regions',
		['code', 'level', 'name', 'parent_code'],
		regionList.map((r) => [r.code, r.level, r.name, r.parentCode])
	);
	await handle.copy(
		tx,
		'tps',
		['code', 'village_code', 'number', 'target', 'simulated'],
		tpsList.map((t) => [t.code, t.villageCode, t.number, simulatedTarget(t.code), true])
	);
	await handle.copy(
		tx,
		'pantarlih',
		['name', 'phone', 'tps_code', 'simulated'],
		tpsList.map((t) => [simulatedName(t.code), simulatedPhone(t.code, t.index), t.code, true])
	);
}

/** A database needs one campaign; the demo's starts today (WIB) and runs 30 days. */
async function ensureCampaign(db: Database): Promise<void> {
	const [{ n }] = await db.select({ n: count() }).from(campaigns);
	if (n > 0) return;
	const today = localDate(new Date(), ZONES.WIB);
	await db.insert(campaigns).values({
		name: 'Coklit Pemilu (simulasi)',
		firstDay: today,
		lastDay: format(addDays(parseISO(today), 29), 'yyyy-MM-dd'),
		simulated: true
	});
}

function groupByProvince<T extends { code: string }>(rows: T[]): Map<string, T[]> {
	const groups = new Map<string, T[]>();
	for (const row of rows) {
		const province = row.code.slice(0, 2);
		let list = groups.get(province);
		if (!list) groups.set(province, (list = []));
		list.push(row);
	}
	return groups;
}

function elapsed(since: number): number {
	return (performance.now() - since) / 1000;
}

/** Counts per level, for `stats` and tests. */
export async function levelCounts(handle: DatabaseHandle) {
	const { db } = handle;
	const perLevel = await db
		.select({ level: regions.level, n: count() })
		.from(regions)
		.groupBy(regions.level);
	const [{ n: tpsTotal }] = await db.select({ n: count() }).from(tps);
	const [{ n: pantarlihTotal }] = await db.select({ n: count() }).from(pantarlih);
	const byLevel = Object.fromEntries(perLevel.map((r) => [r.level, r.n]));
	return {
		province: byLevel.province ?? 0,
		regency: byLevel.regency ?? 0,
		district: byLevel.district ?? 0,
		village: byLevel.village ?? 0,
		tps: tpsTotal,
		pantarlih: pantarlihTotal
	};
}
