/**
 * The server's long-lived services (configuration, database, CLI socket), started once per
 * process by the `init` hook and kept on globalThis: the production entry, SvelteKit's bundle and
 * Vite's dev reloads all see the same ones, and PGlite is never opened twice.
 */
import { describe, logger } from './log';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { openDatabase, type DatabaseHandle } from './db/client';
import { lockDataDir } from './db/lock';
import { config, type Config } from './env';
import { RollupStore } from './rollup/store';
import { LiveService } from './live/service';
import { DeltaBus } from './live/bus';
import { StartupError } from './errors';
import { seed } from './seed';
import { ensureDemoAccounts } from './demo';
import { listenForCommands } from './cli/socket';
import { handleNodeRequest } from './ingest/node-http';
import { createMetrics, reasonOf, type Metrics } from './metrics';
import { sql } from 'drizzle-orm';
import { IngestService } from './ingest/service';
import { Plan, currentCampaign } from './campaign';
import { loadActivity } from './activity';
import type { ActivityIndex } from '../domain/activity';
import { AlertService } from './alerts/service';
import { AlertWebhook } from './alerts/webhook';
import { freezeEndedDays } from './history/snapshots';
import type { AlertEvent } from '../protocol/live';
import type { RosterChange } from '../domain/roster';
import type { RegionDelta } from '../domain/coverage';
import { closePdf } from './pdf';
import { connectRedis, type RedisClient } from './redis';
import { loginLimits, type LoginLimits } from './auth/login';
import { openDemoClock, realClock, type Clock } from './clock';

export interface RequestLog {
	id: string;
	method: string;
	path: string;
	status: number;
	ms: number;
	/** The SvelteKit route id, or the fast path's own name. */
	route: string;
}

export interface Services {
	config: Config;
	handle: DatabaseHandle;
	/** "Now" for the coklit calendar: real, or the demo's compressed clock. */
	clock: Clock;
	ingest: IngestService;
	/** Live roll-ups of every region. */
	store: RollupStore;
	/** Every TPS's last sync, progress and pending times (sync states, silent counts). */
	activity: ActivityIndex;
	/** The campaign, its target curves and the alert thresholds, as last loaded. */
	plan(): Plan;
	/** Re-reads the plan after an admin changed it. */
	reloadPlan(): Promise<Plan>;
	alerts: AlertService;
	/** Failed-login counters (shared through Redis with REDIS_URL). */
	loginLimits: LoginLimits;
	/** Prometheus metrics, and their text for GET /metrics. */
	metrics: Metrics;
	/** `collect`: a full garbage collection first, if the process runs with --expose-gc. */
	metricsText(collect?: boolean): Promise<string>;
	/** For /readyz: the database answers, migrations ran, roll-ups are loaded. Cheap (cached 1 s). */
	readiness(): Promise<{ ready: boolean; reason?: string }>;
	/** One log line per HTTP request, and the request counter. */
	logRequest(entry: RequestLog): void;
	/** To call after an import wrote targets or people. */
	/** An import's changes and what they moved (applyImport's answer), for the live roll-ups. */
	rosterChanged(changes: readonly RosterChange[], deltas: Map<string, RegionDelta>): Promise<void>;
	/** socket.io subscriptions and coalesced `progress` pushes. */
	live: LiveService;
	/** The heartbeat endpoint for the production entry's node:http fast path. */
	ingestHttp(req: IncomingMessage, res: ServerResponse): Promise<void>;
	stop(): Promise<void>;
}

const KEY = Symbol.for('pantau-coklit.services');
/** How often live roll-ups are written to region_progress. */
const CHECKPOINT_MS = 5_000;
/** The phones' sync endpoint: its accepted requests are not logged one by one (LOG_REQUESTS=on). */
const HEARTBEATS_PATH = '/api/v1/heartbeats';
type Holder = { [KEY]?: Promise<Services> };
const holder = globalThis as Holder;

export const cliSocketPath = (dataDir: string) => path.join(dataDir, 'cli.sock');
/** PGlite's own files live in a subfolder, apart from our lock and socket. */
export const pgliteDir = (dataDir: string) => path.join(dataDir, 'pglite');

export function startServices(
	log: (line: string) => void = (line) => logger().info(line)
): Promise<Services> {
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
	let commitHandle: DatabaseHandle | undefined;
	let redis: RedisClient | undefined;
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
		let clock = realClock;
		let saveClock = async () => {};
		if (cfg.CLOCK_SPEED !== 1) {
			const campaign = await currentCampaign(handle.db);
			// The start day's morning: 07:00 WIB, 08:00 WITA, 09:00 WIT.
			const firstMorning =
				Date.parse(`${campaign!.firstDay}T00:00:00Z`) + (cfg.CLOCK_START_DAY - 1) * 86_400_000;
			({ clock, save: saveClock } = await openDemoClock(handle.db, cfg.CLOCK_SPEED, firstMorning));
			log(
				`[clock] demo clock at ${new Date(clock.now()).toISOString()}, ${cfg.CLOCK_SPEED}x real time`
			);
		}
		const store = new RollupStore();
		const started = performance.now();
		await store.load(handle.db);
		log(
			`[rollup] ${store.size} regions recounted from the TPS table in ${((performance.now() - started) / 1000).toFixed(1)} s`
		);
		const db = handle.db;
		const activityStarted = performance.now();
		const activity = await loadActivity(db);
		log(
			`[activity] ${activity.size} TPS loaded in ${((performance.now() - activityStarted) / 1000).toFixed(1)} s`
		);
		let plan = await Plan.load(db);
		const checkpoint = () =>
			Promise.all([
				store
					.checkpoint(db)
					.catch((error) => logger().error(`[rollup] checkpoint failed: ${describe(error)}`)),
				saveClock().catch((error) =>
					logger().error(`[clock] saving the demo clock failed: ${describe(error)}`)
				)
			]);
		await checkpoint();
		const checkpointTimer = setInterval(checkpoint, CHECKPOINT_MS);
		checkpointTimer.unref();
		const live = new LiveService(handle.db, store, {
			windowMs: cfg.LIVE_WINDOW_MS,
			origins: [cfg.ORIGIN, ...(cfg.ALLOWED_ORIGINS ?? [])].filter((o): o is string => !!o)
		});
		if (cfg.REDIS_URL && embedded) {
			throw new StartupError(
				'REDIS_URL is set but the database is the embedded one, which only one process can use',
				'Set DATABASE_URL to a PostgreSQL server to run several processes, or unset REDIS_URL'
			);
		}
		let recounting = false;
		redis = cfg.REDIS_URL ? await connectRedis(cfg.REDIS_URL) : undefined;
		const bus = redis
			? await DeltaBus.connect(redis, {
					onCommit: ({ deltas, touched, at }) => {
						live.publish(store.apply(deltas));
						for (const t of touched) activity.record(t.code, t, at);
					},
					onGap: () => {
						if (recounting) return;
						recounting = true;
						log('[bus] missed updates from another process: recounting roll-ups');
						store
							.load(db)
							.catch((error) => logger().error(`[bus] recount failed: ${describe(error)}`))
							.finally(() => (recounting = false));
					}
				})
			: undefined;
		if (bus) log(`[bus] sharing roll-up changes with other processes over Redis`);
		const webhook =
			cfg.ALERT_WEBHOOK_URL && cfg.ALERT_WEBHOOK_SECRET
				? new AlertWebhook(cfg.ALERT_WEBHOOK_URL, cfg.ALERT_WEBHOOK_SECRET)
				: undefined;
		const alertService = new AlertService({
			db,
			store,
			activity,
			plan: () => plan,
			now: clock.now,
			onChange: (events: AlertEvent[]) => {
				live.publishAlerts(events);
				webhook?.enqueue(events);
			}
		});
		await alertService.load();
		// Each interval: freeze the local days that ended, then run the alert rules.
		let busy = false;
		const everyInterval = async () => {
			if (busy) return;
			busy = true;
			try {
				// Campaign, curve and threshold edits made through another process arrive here.
				plan = await Plan.load(db);
				const frozen = await freezeEndedDays({ db, store, activity, plan, now: clock.now() });
				if (frozen.length > 0) log(`[history] froze ${frozen.join(', ')}`);
				const started = performance.now();
				const { opened, resolved } = await alertService.evaluate();
				if (opened + resolved > 0)
					log(
						`[alerts] ${opened} opened, ${resolved} resolved, ${alertService.openCount} open (rules ran in ${Math.round(performance.now() - started)} ms)`
					);
			} catch (error) {
				logger().error(`[alerts] scheduled run failed: ${describe(error)}`);
			} finally {
				busy = false;
			}
		};
		const metrics = createMetrics();
		// Group commits get connections of their own, as many as run at once, so that the same few
		// PostgreSQL backends do every commit with warm caches. Spread over the whole pool, the
		// database spent about 40% more CPU per heartbeat (single-heartbeat load, 2 cores).
		commitHandle = embedded
			? handle
			: await openDatabase({ databaseUrl: cfg.DATABASE_URL, poolSize: cfg.INGEST_CONCURRENCY });
		const commits = commitHandle;
		const ingest = new IngestService(handle.db, {
			commitDb: commits.db,
			onAnswer: (response) => {
				metrics.ingestResponses.inc({ status: String(response.status) });
				if (response.status !== 200) return;
				const body = response.body as {
					accepted: number;
					duplicates: number;
					rejected: { error: string }[];
				};
				if (body.accepted)
					metrics.heartbeats.inc({ result: 'accepted', reason: '' }, body.accepted);
				if (body.duplicates)
					metrics.heartbeats.inc({ result: 'duplicate', reason: '' }, body.duplicates);
				for (const r of body.rejected)
					metrics.heartbeats.inc({ result: 'rejected', reason: reasonOf(r.error) });
			},
			onCommitSeconds: (seconds) => metrics.commitSeconds.observe(seconds),
			tokenCacheMs: cfg.TOKEN_CACHE_MS,
			ratePerMinute: cfg.HEARTBEAT_RATE_PER_MINUTE,
			concurrency: embedded ? 1 : cfg.INGEST_CONCURRENCY,
			now: clock.now,
			// Applied before the requests are answered: a client that got 200 sees its numbers.
			onCommitted: (result) => {
				live.publish(store.apply(result.deltas));
				const touched = result.tps.map(({ after }) => ({
					code: after.code,
					verified: after.verified,
					pending: after.pending
				}));
				for (const t of touched) activity.record(t.code, t, result.receivedAt);
				bus?.publish({ deltas: result.deltas, touched, at: result.receivedAt });
				alertService
					.afterCommit(result)
					.catch((error) =>
						logger().error(`[alerts] data-quality check failed: ${describe(error)}`)
					);
			},
			onError: (error) => logger().error(`[ingest] commit failed: ${describe(error)}`)
		});
		/** After an import changed targets: add what moved to the roll-ups, here and elsewhere. */
		const rosterChanged = async (
			changes: readonly RosterChange[],
			deltas: Map<string, RegionDelta>
		) => {
			live.publish(store.apply(deltas));
			for (const c of changes) if (c.target !== undefined) activity.setTarget(c.tps, c.target);
			bus?.publish({ deltas, touched: [], at: clock.now() });
		};
		const commands = embedded
			? await listenForCommands(socket, { handle, ingest, rosterChanged })
			: undefined;
		const schedule = setInterval(() => void everyInterval(), cfg.ALERT_INTERVAL_MS);
		schedule.unref();
		void everyInterval();
		const opened = handle;
		let emitted = { progress: 0, alert: 0 };
		let lastCheck = { at: 0, result: { ready: true } as { ready: boolean; reason?: string } };
		return {
			metrics,
			async metricsText(collect = false) {
				// Only when the process runs with --expose-gc (the fault suite compares heaps).
				const gc = (globalThis as { gc?: () => void }).gc;
				if (collect && gc) gc();
				metrics.queueItems.set(ingest.committer.depth);
				metrics.socketConnections.set(live.connections);
				for (const event of ['progress', 'alert'] as const) {
					metrics.socketEvents.inc({ event }, live.emitted[event] - emitted[event]);
				}
				emitted = { ...live.emitted };
				metrics.alertsOpen.reset();
				for (const [rule, n] of alertService.openByRule()) metrics.alertsOpen.set({ rule }, n);
				return metrics.registry.metrics();
			},
			async readiness() {
				if (Date.now() - lastCheck.at < 1_000) return lastCheck.result;
				let result: { ready: boolean; reason?: string } = { ready: true };
				try {
					await Promise.race([
						opened.db.execute(sql`select 1`),
						new Promise((_, reject) =>
							setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref()
						)
					]);
					if (store.size === 0) result = { ready: false, reason: 'roll-ups are not loaded' };
				} catch (error) {
					result = { ready: false, reason: `the database does not answer: ${describe(error)}` };
				}
				lastCheck = { at: Date.now(), result };
				return result;
			},
			logRequest(entry) {
				metrics.httpRequests.inc({ route: entry.route, status: String(entry.status) });
				if (cfg.LOG_REQUESTS === 'off') return;
				if (cfg.LOG_REQUESTS === 'on' && entry.status === 200 && entry.path === HEARTBEATS_PATH)
					return;
				logger().info(
					{
						req: entry.id,
						method: entry.method,
						path: entry.path,
						status: entry.status,
						ms: entry.ms
					},
					'request'
				);
			},

			config: cfg,
			handle: opened,
			clock,
			activity,
			plan: () => plan,
			reloadPlan: async () => (plan = await Plan.load(db)),
			alerts: alertService,
			loginLimits: loginLimits(redis),
			rosterChanged,
			ingest,
			store,
			live,
			ingestHttp: (req, res) => handleNodeRequest(ingest, req, res),
			async stop() {
				clearInterval(schedule);
				webhook?.close();
				await closePdf();
				await commands?.close();
				// Every accepted request is committed before the database closes.
				await ingest.close();
				if (commits !== opened) await commits.close();
				live.close();
				await bus?.close();
				await redis?.close();
				clearInterval(checkpointTimer);
				await checkpoint();
				await opened.close();
				unlock();
			}
		};
	} catch (error) {
		redis?.destroy();
		if (commitHandle !== handle) await commitHandle?.close().catch(() => {});
		await handle?.close().catch(() => {});
		unlock();
		throw error;
	}
}
