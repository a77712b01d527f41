/**
 * The database as configured: the PostgreSQL server of DATABASE_URL, or, without it, the embedded
 * PostgreSQL of DATA_DIR (started here, stopped by `close`), migrated, with an earlier version's
 * PGlite folder moved in once. The server and the CLI open it the same way.
 */
import { openDatabase, type DatabaseHandle } from './client';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded';
import { moveFromPglite } from './pglite-move';

export interface OpenedDatabase {
	handle: DatabaseHandle;
	/** The URL further connections use (the ingest path's own pool). */
	url: string;
	/** The embedded server, when there is one. */
	embedded: EmbeddedPostgres | null;
	/** Closes the handle, then stops the embedded server. */
	close(): Promise<void>;
}

export async function openConfiguredDatabase(
	cfg: { DATABASE_URL?: string; DATA_DIR: string; DB_POOL_SIZE?: number },
	log: (line: string) => void
): Promise<OpenedDatabase> {
	const embedded = cfg.DATABASE_URL ? null : await startEmbeddedPostgres(cfg.DATA_DIR, { log });
	const url = cfg.DATABASE_URL || embedded!.url;
	let handle: DatabaseHandle | null = null;
	try {
		handle = await openDatabase({ databaseUrl: url, poolSize: cfg.DB_POOL_SIZE });
		await handle.migrate();
		if (embedded) await moveFromPglite(cfg.DATA_DIR, handle.sql, log);
	} catch (error) {
		await handle?.close().catch(() => {});
		await embedded?.stop();
		throw error;
	}
	const opened = handle;
	return {
		handle: opened,
		url,
		embedded,
		async close() {
			await opened.close();
			await embedded?.stop();
		}
	};
}
