/**
 * The server's long-lived services (configuration, database, CLI socket), started once per
 * process by the `init` hook and kept on globalThis: the production entry, SvelteKit's bundle and
 * Vite's dev reloads all see the same ones, and PGlite is never opened twice.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from './db/client';
import { lockDataDir } from './db/lock';
import { config, type Config } from './env';
import { RollupStore } from './progress/store';
import { LiveService } from './live/service';
import { DeltaBus } from './live/bus';
import { StartupError } from './errors';
import { seed } from './seed';
import { ensureDemoAccounts } from './demo';
import { listenForCommands } from './cli/socket';
import { handleNodeRequest } from './ingest/node-http';
import { IngestService } from './ingest/service';

export interface Services {
	config: Config;
	handle: DatabaseHandle;
	ingest: IngestService;
	/** Live roll-ups of every region. */
	store: RollupStore;
	/** socket.io subscriptions and coalesced `progress` pushes. */
	live: LiveService;
	/** The heartbeat endpoint for the production entry's node:http fast path. */
	ingestHttp(req: IncomingMessage, res: ServerResponse): Promise<void>;
	stop(): Promise<void>;
}

const KEY = Symbol.for('pantau-coklit.services');
/** How often live roll-ups are written to region_progress. */
const CHECKPOINT_MS = 5_000;
type Holder = { [KEY]?: Promise<Services> };
const holder = globalThis as Holder;

export const cliSocketPath = (dataDir: string) => path.join(dataDir, 'cli.sock');
/** PGlite's own files live in a subfolder, apart from our lock and socket. */
export const pgliteDir = (dataDir: string) => path.join(dataDir, 'pglite');

export function startServices(log: (line: string) => void = console.log): Promise<Services> {
	holder[KEY] ??= start(log).catch((error) => {
		delete holder[KEY];
		throw error;
	});
	return holder[KEY];
}

/** The running services; only valid after `startServices` resolved (the `init` hook). */
export async function services(): Promise<Services> {
	if (!holder[KEY]) throw new Error('services are not started');
	return holder[KEY];
}

export async function stopServices(): Promise<void> {
	const running = holder[KEY];
	delete holder[KEY];
	if (running) await (await running).stop();
}

async function start(log: (line: string) => void): Promise<Services> {
	const cfg = config();
	const embedded = !cfg.DATABASE_URL;
	const socket = cliSocketPath(cfg.DATA_DIR);
	const unlock = embedded ? lockDataDir(cfg.DATA_DIR, { role: 'server', socket }) : () => {};
	let handle: DatabaseHandle | undefined;
	try {
		handle = await openDatabase({
			databaseUrl: cfg.DATABASE_URL,
			dataDir: pgliteDir(cfg.DATA_DIR),
			poolSize: cfg.DB_POOL_SIZE
		});
		log(`[db] ${handle.describe}`);
		await handle.migrate();
		await seed(handle, { provinces: cfg.SEED_PROVINCES, log });
		if (cfg.DEMO === '1') {
			const logins = await ensureDemoAccounts(handle.db);
			log(`[demo] demo logins (role, email, password):\n${logins.join('\n')}`);
		}
		const store = new RollupStore();
		const started = performance.now();
		await store.load(handle.db);
		log(
			`[rollup] ${store.size} regions recounted from the TPS table in ${((performance.now() - started) / 1000).toFixed(1)} s`
		);
		const db = handle.db;
		const checkpoint = () =>
			store
				.checkpoint(db)
				.catch((error) => console.error('[rollup] checkpoint failed:', error?.message ?? error));
		await checkpoint();
		const checkpointTimer = setInterval(checkpoint, CHECKPOINT_MS);
		checkpointTimer.unref();
		const live = new LiveService(handle.db, store, cfg.LIVE_WINDOW_MS);
		if (cfg.REDIS_URL && embedded) {
			throw new StartupError(
				'REDIS_URL is set but the database is the embedded one, which only one process can use',
				'Set DATABASE_URL to a PostgreSQL server to run several processes, or unset REDIS_URL'
			);
		}
		let recounting = false;
		const bus = cfg.REDIS_URL
			? await DeltaBus.connect(cfg.REDIS_URL, {
					onDeltas: (deltas) => live.publish(store.apply(deltas)),
					onGap: () => {
						if (recounting) return;
						recounting = true;
						log('[bus] missed updates from another process: recounting roll-ups');
						store
							.load(db)
							.catch((error) => console.error('[bus] recount failed:', error))
							.finally(() => (recounting = false));
					}
				})
			: undefined;
		if (bus) log(`[bus] sharing roll-up changes with other processes over Redis`);
		const ingest = new IngestService(handle.db, {
			tokenCacheMs: cfg.TOKEN_CACHE_MS,
			ratePerMinute: cfg.HEARTBEAT_RATE_PER_MINUTE,
			concurrency: embedded ? 1 : cfg.INGEST_CONCURRENCY,
			// Applied before the requests are answered: a client that got 200 sees its numbers.
			onCommitted: (result) => {
				live.publish(store.apply(result.deltas));
				bus?.publish(result.deltas);
			},
			onError: (error) =>
				console.error('[ingest] commit failed:', (error as Error)?.message ?? error)
		});
		const commands = embedded ? await listenForCommands(socket, { handle, ingest }) : undefined;
		const opened = handle;
		return {
			config: cfg,
			handle: opened,
			ingest,
			store,
			live,
			ingestHttp: (req, res) => handleNodeRequest(ingest, req, res),
			async stop() {
				await commands?.close();
				// Every accepted request is committed before the database closes.
				await ingest.close();
				live.close();
				await bus?.close();
				clearInterval(checkpointTimer);
				await checkpoint();
				await opened.close();
				unlock();
			}
		};
	} catch (error) {
		await handle?.close().catch(() => {});
		unlock();
		throw error;
	}
}
