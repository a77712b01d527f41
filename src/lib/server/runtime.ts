/**
 * The server's long-lived services, built once per process, in order, by the `init` hook: the
 * database, the roll-up store and activity index, the plan, the live gateway, the Redis bridge,
 * the alerts and their webhook outbox, the ingest path and the CLI socket. What happens after a
 * commit, an import, a revocation or an edit is one event on the bus (platform/events.ts), which each of
 * them follows itself; this file only builds and stops them. The running services are found
 * through one accessor (src/server/running.js) by the production entry, the socket attachment and
 * the app alike, so the database is never opened twice, even across Vite's dev reloads.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import {
	forgetServices,
	provideServices,
	runningServices,
	servicesStarted
} from '../../server/running.js';
import type { ActivityIndex } from '../domain/activity';
import { followActivity, loadActivity } from './rollup/activity';
import { OpenAlertCounts } from './alerts/open-counts';
import { AlertService } from './alerts/service';
import { countOpenAlerts } from './alerts/list';
import { WebhookOutbox } from './alerts/webhook';
import { loginLimits, type LoginLimits, type SignInPolicy } from './accounts/login';
import { PlanHolder, currentCampaign, type Plan } from './history/campaign';
import { listenForCommands } from './cli/socket';
import { openDemoClock, realClock, type Clock } from './platform/clock';
import { openDatabase, type DatabaseHandle } from './platform/db/client';
import { openConfiguredDatabase } from './platform/db/configured';
import { lockDataDir } from './platform/db/lock';
import { ensureDemoAccounts } from './accounts/demo';
import { config, type Config } from './platform/env';
import { StartupError } from './platform/startup-error';
import { EventBus } from './platform/events';
import { readinessCheck, type Readiness } from './platform/health';
import { keepPartitions } from './evidence/partitions';
import {
	advanceLog,
	loadSigner,
	originFor,
	registerKey,
	signFrozenDays
} from './evidence/checkpoints';
import { sequenceLegacy } from './evidence/tree';
import { freezeEndedDays } from './history/snapshots';
import { requestLogger, type RequestLog } from './platform/http/request-log';
import { commitEvent } from './ingest/commit';
import { handleNodeRequest } from './ingest/node-http';
import { IngestService } from './ingest/service';
import { LiveService } from './live/service';
import { describe, logger } from './platform/log';
import { countIngestAnswer, createMetrics, metricsReader } from './platform/metrics';
import { every } from './platform/periodic';
import { closePdf } from './platform/pdf';
import { connectRedis, type RedisClient } from './platform/redis';
import { RedisBridge } from './platform/redis-bridge';
import { RollupStore } from './rollup/store';
import { seed } from './geography/seed';
import type { ViewDeps } from './views/deps';

export type { RequestLog };

export interface Services {
	config: Config;
	handle: DatabaseHandle;
	/** "Now" for the coklit calendar: real, or the demo's compressed clock. */
	clock: Clock;
	/** What happened in this process (and, through Redis, in the others). */
	bus: EventBus;
	ingest: IngestService;
	/** Live roll-ups of every region. */
	store: RollupStore;
	/** Every TPS's last sync, progress and pending times (sync states, silent counts). */
	activity: ActivityIndex;
	/** The campaign, its target curves and the alert thresholds, as last loaded. */
	plan(): Plan;
	/** The plan once any reload in flight (after an edit) is done. */
	freshPlan(): Promise<Plan>;
	/** What pages and the read API need (views/deps.ts): the same object for the process's life. */
	views: ViewDeps;
	alerts: AlertService;
	/** Failed-login counters (shared through Redis with REDIS_URL). */
	loginLimits: LoginLimits;
	/** Which roles need a second factor; whether the demo logins skip it. */
	signInPolicy: SignInPolicy;
	/** socket.io subscriptions and coalesced `progress` pushes. */
	live: LiveService;
	/** Prometheus text for GET /metrics; `collect`: a full GC first (with --expose-gc). */
	metricsText(collect?: boolean): Promise<string>;
	/** For /readyz: the database answers, migrations ran, roll-ups are loaded (cached 1 s). */
	readiness(): Promise<Readiness>;
	/** One log line per HTTP request, and the request counter. */
	logRequest(entry: RequestLog): void;
	/** The heartbeat endpoint for the production entry's node:http fast path. */
	ingestHttp(req: IncomingMessage, res: ServerResponse): Promise<void>;
	stop(): Promise<void>;
}

/** How often live roll-ups are written to region_progress. */
const CHECKPOINT_MS = 5_000;

export const cliSocketPath = (dataDir: string) => path.join(dataDir, 'cli.sock');

export function startServices(
	log: (line: string) => void = (line) => logger().info(line)
): Promise<Services> {
	return provideServices(() => start(log));
}

/** The running services; waits for them while they start. */
export function services(): Promise<Services> {
	return runningServices();
}

export async function stopServices(): Promise<void> {
	if (!servicesStarted()) return;
	const running = await runningServices().catch(() => null);
	forgetServices();
	await running?.stop();
}

const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

async function start(log: (line: string) => void): Promise<Services> {
	const cfg = config();
	const embedded = !cfg.DATABASE_URL;
	if (cfg.REDIS_URL && embedded) {
		throw new StartupError(
			'REDIS_URL is set but the database is the embedded one, which only this process can use',
			'Set DATABASE_URL to a PostgreSQL server to run several processes, or unset REDIS_URL'
		);
	}
	const socket = cliSocketPath(cfg.DATA_DIR);
	const unlock = embedded ? lockDataDir(cfg.DATA_DIR, { role: 'server', socket }) : () => {};
	// What has been opened so far, closed in reverse order if start-up fails.
	const opened: (() => Promise<unknown> | unknown)[] = [unlock];
	const closeAll = async () => {
		for (const close of opened.splice(0).reverse()) await Promise.resolve(close()).catch(() => {});
	};
	try {
		const database = await openConfiguredDatabase(cfg, log);
		opened.push(() => database.close());
		const { handle } = database;
		const db = handle.db;
		log(`[db] ${database.embedded?.describe ?? handle.describe}`);
		await seed(handle, { provinces: cfg.SEED_PROVINCES, log });
		if (cfg.DEMO === '1') {
			const logins = await ensureDemoAccounts(db);
			log(`[demo] demo logins (role, email, password):\n${logins.join('\n')}`);
		}
		let clock: Clock = realClock;
		let saveClock = async () => {};
		if (cfg.CLOCK_SPEED !== 1) {
			const campaign = (await currentCampaign(db))!;
			({ clock, save: saveClock } = await openDemoClock(
				db,
				cfg.CLOCK_SPEED,
				campaign,
				cfg.CLOCK_START_DAY
			));
			log(`[clock] demo clock at ${new Date(clock.now()).toISOString()}, ${cfg.CLOCK_SPEED}x`);
		}
		await keepPartitions(db, clock.now(), log);

		const bus = new EventBus();
		const store = new RollupStore();
		let started = performance.now();
		await store.load(db);
		log(`[rollup] ${store.size} regions recounted from the TPS table in ${seconds(started)} s`);
		store.listen(bus, db, log);
		started = performance.now();
		const activity = await loadActivity(db);
		log(`[activity] ${activity.size} TPS loaded in ${seconds(started)} s`);
		followActivity(bus, activity);

		const plan = await PlanHolder.load(db);
		plan.listen(bus);

		const checkpoint = every(CHECKPOINT_MS, 'checkpoint', () =>
			Promise.all([store.checkpoint(db), saveClock()])
		);
		await checkpoint.run();
		opened.push(() => checkpoint.stop());

		const live = new LiveService(db, store, {
			windowMs: cfg.LIVE_WINDOW_MS,
			tpsExists: (code) => activity.indexOf(code) >= 0,
			origins: [cfg.ORIGIN, ...(cfg.ALLOWED_ORIGINS ?? [])].filter((o): o is string => !!o)
		});
		live.listen(bus);
		// Sockets of sessions that ended or expired anywhere close within a minute, messages lost or not.
		const sessionCheck = every(60_000, 'session recheck', () => live.recheckSessions());
		opened.push(() => sessionCheck.stop());

		const redis: RedisClient | undefined = cfg.REDIS_URL
			? await connectRedis(cfg.REDIS_URL)
			: undefined;
		if (redis) opened.push(() => redis.destroy());
		const bridge = redis ? await RedisBridge.connect(redis, bus) : undefined;
		if (bridge) log('[bridge] sharing changes with other processes over Redis');

		const webhook =
			cfg.ALERT_WEBHOOK_URL && cfg.ALERT_WEBHOOK_SECRET
				? new WebhookOutbox(db, cfg.ALERT_WEBHOOK_URL, cfg.ALERT_WEBHOOK_SECRET)
				: undefined;
		const alerts = new AlertService({
			db,
			store,
			activity,
			plan: plan.current,
			now: clock.now,
			bus,
			outbox: webhook !== undefined
		});
		await alerts.load();
		alerts.listen(bus);
		const openAlerts = new OpenAlertCounts((code) => countOpenAlerts(db, code));
		openAlerts.listen(bus);
		if (webhook) {
			bus.on('alerts', () => void webhook.poke());
			webhook.start();
		}

		const metrics = createMetrics();
		// Group commits get connections of their own, as many as run at once, so that the same few
		// PostgreSQL backends do every commit with warm caches. Spread over the whole pool, the
		// database spent about 40% more CPU per heartbeat (single-heartbeat load, 2 cores).
		const commits = await openDatabase({
			databaseUrl: database.url,
			poolSize: cfg.INGEST_CONCURRENCY
		});
		opened.push(() => commits.close());
		const ingest = new IngestService(db, {
			commitDb: commits.db,
			onAnswer: (response) => countIngestAnswer(metrics, response),
			onCommitSeconds: (s) => metrics.commitSeconds.observe(s),
			tokenCacheMs: cfg.TOKEN_CACHE_MS,
			ratePerMinute: cfg.HEARTBEAT_RATE_PER_MINUTE,
			concurrency: cfg.INGEST_CONCURRENCY,
			now: clock.now,
			// Before the requests are answered: a client that got 200 sees its numbers.
			onCommitted: (result) => bus.emit('commit', commitEvent(result)),
			onError: (error) => logger().error(`[ingest] commit failed: ${describe(error)}`)
		});
		ingest.tokens.listen(bus);
		const stopFollowingTokens = await ingest.tokens.followDatabase(handle.sql);
		opened.push(stopFollowingTokens);

		// The transparency log: heartbeats stored before it existed get their places (once, at the
		// upgrade) and the tree is signed before the first sync, then every LOG_CHECKPOINT_MS while
		// it grows.
		const signer = await loadSigner(cfg.LOG_KEY_FILE, cfg.DATA_DIR, originFor(cfg.ORIGIN), log);
		await registerKey(db, signer);
		started = performance.now();
		const legacy = await sequenceLegacy(db);
		if (legacy > 0) log(`[log] ${legacy} heartbeats stored before the log took their places`);
		const signed = await advanceLog(db, signer);
		await signFrozenDays(db, signer);
		if (signed) log(`[log] tree of ${signed.treeSize} heartbeats signed in ${seconds(started)} s`);
		const logTurn = every(cfg.LOG_CHECKPOINT_MS, 'log', () => advanceLog(db, signer));
		opened.push(() => logTurn.stop());

		const commands = embedded
			? await listenForCommands(socket, { handle, bus, now: clock.now })
			: undefined;

		// Each interval: the plan as other processes may have changed it, the log's partitions, the
		// local days that ended frozen, then the alert rules.
		const schedule = every(cfg.ALERT_INTERVAL_MS, 'scheduled run', async () => {
			await plan.reload();
			await keepPartitions(db, clock.now(), log);
			const frozen = await freezeEndedDays({
				db,
				store,
				activity,
				plan: plan.current(),
				now: clock.now()
			});
			if (frozen.length > 0) {
				log(`[history] froze ${frozen.join(', ')}`);
				// A checkpoint at each zone's close of day, whatever the timer's phase, then the day's
				// digests bound to it.
				await logTurn.run();
				await signFrozenDays(db, signer);
			}
			await alerts.runRules(log);
		});
		void schedule.run();

		return {
			config: cfg,
			handle,
			clock,
			bus,
			ingest,
			store,
			activity,
			plan: plan.current,
			freshPlan: plan.fresh,
			views: {
				db,
				store,
				activity,
				now: clock.now,
				plan: plan.current,
				openAlerts: (code) => openAlerts.of(code)
			},
			alerts,
			loginLimits: loginLimits(redis),
			signInPolicy: { requiredRoles: cfg.SECOND_FACTOR_ROLES, demo: cfg.DEMO === '1' },
			live,
			metricsText: metricsReader(metrics, {
				queueDepth: () => ingest.committer.depth,
				live,
				openByRule: () => alerts.openByRule()
			}),
			readiness: readinessCheck(db, () => store.size > 0),
			logRequest: requestLogger(cfg, metrics),
			ingestHttp: (req, res) => handleNodeRequest(ingest, req, res),
			async stop() {
				schedule.stop();
				await sessionCheck.finish();
				await webhook?.close();
				await closePdf();
				await commands?.close();
				await stopFollowingTokens();
				// Every accepted request is committed before the database closes.
				await ingest.close();
				live.close();
				await bridge?.close();
				await checkpoint.finish();
				await logTurn.finish();
				await redis?.close();
				await commits.close();
				await database.close();
				unlock();
			}
		};
	} catch (error) {
		await closeAll();
		throw error;
	}
}
