/**
 * Earlier versions kept the embedded database in PGlite (PostgreSQL compiled to WebAssembly) in
 * DATA_DIR/pglite. On the first start of this version that folder is moved into the new embedded
 * PostgreSQL once, table by table: the old database is brought to the same migrations, every
 * table (each day partition of the heartbeat log on its own) is copied in slices of its pages
 * with COPY, the sequences follow, and the row counts before and after are compared and printed.
 * All of it is one transaction on the new database: a move that fails leaves it empty and the
 * old folder as it was, to be tried again at the next start. A move that succeeds renames the old
 * folder (DATA_DIR/pglite-moved-<date>), kept until the operator deletes it.
 *
 * PGlite stays a dependency for this alone: it is loaded only when such a folder exists.
 */
import { existsSync, renameSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type postgres from 'postgres';
import { StartupError } from '../startup-error';
import { appPath } from '../paths';

/** Heap pages per COPY slice: 2,000 pages are 16 MB. */
const PAGES_PER_SLICE = 2_000;

export const pgliteFolder = (dataDir: string) => path.join(dataDir, 'pglite');

interface Table {
	name: string;
	/** A day partition of the heartbeat log: made in the new database before its rows come. */
	partitionOf: string | null;
	bound: string | null;
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;
const format = (n: number) => n.toLocaleString('en-US');

/**
 * Moves DATA_DIR/pglite into the database at `sql` (freshly migrated, empty) if that folder
 * exists; says what it did through `log`. Returns whether it moved anything.
 */
export async function moveFromPglite(
	dataDir: string,
	sql: postgres.Sql,
	log: (line: string) => void
): Promise<boolean> {
	const folder = pgliteFolder(dataDir);
	if (!existsSync(path.join(folder, 'PG_VERSION'))) return false;
	const [{ seeded }] = await sql<{ seeded: number }[]>`
		select count(*)::int as seeded from seeded_provinces`;
	if (seeded > 0)
		throw new StartupError(
			`${dataDir} holds both an earlier version's database (${folder}) and a loaded embedded PostgreSQL`,
			`Move ${folder} aside to keep the PostgreSQL one, or delete DATA_DIR/postgres to move the earlier one in again`
		);
	log(`[db] moving the earlier version's embedded database (${folder}) into PostgreSQL once`);
	const started = performance.now();
	const { PGlite } = await import('@electric-sql/pglite');
	const { drizzle } = await import('drizzle-orm/pglite');
	const { migrate } = await import('drizzle-orm/pglite/migrator');
	let old: InstanceType<typeof PGlite>;
	try {
		old = await PGlite.create(folder);
	} catch (error) {
		throw new StartupError(
			`cannot open the earlier version's database in ${folder}: ${(error as Error).message}`,
			`Move ${folder} aside to start with an empty database`,
			{ cause: error }
		);
	}
	try {
		await migrate(drizzle(old), { migrationsFolder: appPath('drizzle') });
		const tables = await tablesOf(old);
		const counts: { table: string; before: number; after: number }[] = [];
		await sql.begin(async (tx) => {
			// Rows go in as they were: no foreign-key or append-only triggers on the way in.
			await tx`set local session_replication_role = replica`;
			// The one row a migration makes (the log's head) comes from the earlier folder instead.
			await tx`delete from log_head`;
			for (const table of tables) {
				if (table.partitionOf)
					await tx.unsafe(
						`create table if not exists ${quote(table.name)} partition of ${quote(table.partitionOf)} ${table.bound}`
					);
				const before = await copyTable(old, tx, table.name);
				const [{ after }] = await tx.unsafe<{ after: number }[]>(
					`select count(*)::int as after from only ${quote(table.name)}`
				);
				counts.push({ table: table.name, before, after });
			}
			for (const { name, value, called } of await sequencesOf(old))
				await tx`select setval(${name}::regclass, ${value}, ${called})`;
			const wrong = counts.filter((c) => c.before !== c.after);
			if (wrong.length > 0)
				throw new StartupError(
					`moving ${folder} lost rows: ${wrong.map((c) => `${c.table} ${c.before} → ${c.after}`).join(', ')}; nothing was moved`,
					'Report this; the earlier folder is untouched'
				);
		});
		const total = counts.reduce((sum, c) => sum + c.before, 0);
		for (const c of counts.filter((c) => c.before > 0))
			log(`[db]   ${c.table}: ${format(c.before)} rows before, ${format(c.after)} after`);
		log(
			`[db] moved ${counts.length} tables, ${format(total)} rows, every count equal, in ${((performance.now() - started) / 1000).toFixed(1)} s`
		);
	} finally {
		await old.close();
	}
	const kept = `${folder}-moved-${new Date().toISOString().slice(0, 10)}`;
	renameSync(folder, existsSync(kept) ? `${kept}-${Date.now()}` : kept);
	log(`[db] the earlier folder is kept as ${kept}: delete it once you have checked the data`);
	return true;
}

/** Every table of the public schema with rows of its own (a partitioned parent has none). */
async function tablesOf(old: { query<T>(q: string): Promise<{ rows: T[] }> }): Promise<Table[]> {
	const { rows } = await old.query<{ name: string; parent: string | null; bound: string | null }>(
		`select c.relname as name, p.relname as parent, pg_get_expr(c.relpartbound, c.oid) as bound
		from pg_class c
		join pg_namespace n on n.oid = c.relnamespace
		left join pg_inherits i on i.inhrelid = c.oid
		left join pg_class p on p.oid = i.inhparent
		where n.nspname = 'public' and c.relkind = 'r'
		order by c.relname`
	);
	return rows.map((r) => ({
		name: r.name,
		// The default partition exists already; day partitions are made as they come.
		partitionOf: r.parent && r.bound !== 'DEFAULT' ? r.parent : null,
		bound: r.bound
	}));
}

async function sequencesOf(old: {
	query<T>(q: string): Promise<{ rows: T[] }>;
}): Promise<{ name: string; value: number; called: boolean }[]> {
	const { rows } = await old.query<{ name: string }>(
		`select quote_ident(n.nspname) || '.' || quote_ident(c.relname) as name
		from pg_class c join pg_namespace n on n.oid = c.relnamespace
		where c.relkind = 'S' and n.nspname = 'public'`
	);
	const found = [];
	for (const { name } of rows) {
		const {
			rows: [state]
		} = await old.query<{ last_value: string; is_called: boolean }>(
			`select last_value, is_called from ${name}`
		);
		found.push({ name, value: Number(state.last_value), called: state.is_called });
	}
	return found;
}

/** Copies one table in slices of its heap pages (ctid ranges); returns how many rows it read. */
async function copyTable(
	old: {
		query<T>(q: string, params?: unknown[]): Promise<{ rows: T[]; blob?: Blob }>;
	},
	tx: postgres.TransactionSql,
	table: string
): Promise<number> {
	const {
		rows: [{ pages, count }]
	} = await old.query<{ pages: number; count: number }>(
		`select (pg_relation_size('${quote(table)}') / current_setting('block_size')::int)::int as pages,
			(select count(*)::int from only ${quote(table)}) as count`
	);
	for (let first = 0; first <= pages; first += PAGES_PER_SLICE) {
		const result = await old.query(
			`copy (select * from only ${quote(table)}
				where ctid >= '(${first},0)'::tid and ctid < '(${first + PAGES_PER_SLICE},0)'::tid)
			to '/dev/blob'`
		);
		if (!result.blob || result.blob.size === 0) continue;
		const text = Buffer.from(await result.blob.arrayBuffer());
		const stream = await tx.unsafe(`copy ${quote(table)} from stdin`).writable();
		await pipeline(Readable.from([text]), stream);
	}
	return count;
}
