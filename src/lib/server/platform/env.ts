/**
 * Configuration, read from the environment and validated once. Everything else imports
 * `config()`; tests call `resetConfig()` after changing process.env.
 */
import path from 'node:path';
import { z } from 'zod';
import { ROLES } from '../../domain/roles';

const provinceList = z
	.string()
	.trim()
	.transform((value) => value.split(',').map((code) => code.trim()))
	.pipe(z.array(z.string().regex(/^\d{2}$/, 'must be two-digit province codes, e.g. 35,31')));

const schema = z.object({
	PORT: z.coerce
		.number({ message: 'must be a port number, 1 to 65535' })
		.int()
		.min(1)
		.max(65_535)
		.default(3000),
	HOST: z.string().min(1).default('0.0.0.0'),
	ORIGIN: z.url({ message: 'must be a URL such as https://pantau.example.go.id' }).optional(),
	/**
	 * Further origins whose pages may open the live socket (comma-separated), for a deployment
	 * reached under several names; ORIGIN is always allowed.
	 */
	ALLOWED_ORIGINS: z
		.string()
		.trim()
		.transform((value) => value.split(',').map((origin) => origin.trim()))
		.pipe(
			z.array(z.url({ message: 'must be URLs such as https://pantau.kpu.go.id, comma-separated' }))
		)
		.optional(),
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
		.optional(),
	DATA_DIR: z.string().min(1).default('./data'),
	SEED_PROVINCES: provinceList.optional(),
	DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
	/** How long a device token lookup is remembered (revocations are announced by the database). */
	TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(86_400_000).default(1_800_000),
	/** Group-commit transactions in flight at once, each on a connection of its own. */
	INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(3),
	/** Several processes act as one: roll-up changes are shared over Redis (PostgreSQL only). */
	REDIS_URL: z
		.string()
		.regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
		.optional(),
	/** Live updates are coalesced over this window: one `progress` message per socket per window. */
	LIVE_WINDOW_MS: z.coerce.number().int().min(10).max(60_000).default(500),
	/** `1`: create one demo account per role (known passwords, printed at start). Never in production. */
	DEMO: z.enum(['0', '1']).default('0'),
	/**
	 * Roles that must sign in with a second factor (comma-separated; `none` for no role). Other
	 * roles may enrol one. Demo accounts skip it while DEMO=1.
	 */
	SECOND_FACTOR_ROLES: z
		.string()
		.trim()
		.default('admin,leader,coordinator')
		.transform((value) =>
			value === 'none' || value === '' ? [] : value.split(',').map((r) => r.trim())
		)
		.pipe(
			z.array(
				z.enum(ROLES, {
					message: `must be roles among ${ROLES.join(', ')}, comma-separated, or none`
				})
			)
		),
	/** Heartbeat requests per minute allowed for one device token. */
	HEARTBEAT_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120),
	/**
	 * Demo only (needs DEMO=1): simulated seconds per real second; 720 plays a day in 2 minutes.
	 * Up to 100,000 for tests that play a whole campaign in minutes.
	 */
	CLOCK_SPEED: z.coerce
		.number({ message: 'must be a number, 1 to 100000' })
		.min(1)
		.max(100_000)
		.default(1),
	/** A map tile URL template ({z}/{x}/{y}) where a tile server is reachable; unset = boundaries only. */
	MAP_TILE_URL: z
		.string()
		.regex(
			/^https?:\/\/[^/]+\/.*\{z\}.*\{x\}.*\{y\}/,
			'must be a URL template with {z}, {x} and {y}'
		)
		.optional(),
	/** Where alert changes are POSTed (HMAC-signed); unset = no webhook. */
	ALERT_WEBHOOK_URL: z
		.url({ message: 'must be a URL such as https://gateway.example.go.id/alerts' })
		.optional(),
	/** The HMAC-SHA256 key for the webhook's X-Pantau-Signature header (16 characters or more). */
	ALERT_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
	/** How often (real ms) the alert rules and the end-of-day snapshots are checked. */
	ALERT_INTERVAL_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(30_000),
	/**
	 * The transparency log's signer key file (`npm run cli -- log:keygen --out <file>`); unset =
	 * `<DATA_DIR>/keys/log.key`, made on first start. Never in the database.
	 */
	LOG_KEY_FILE: z.string().min(1).optional(),
	/** How often (real ms) the log is grown and, if it grew, a checkpoint signed. */
	LOG_CHECKPOINT_MS: z.coerce.number().int().min(1_000).max(60_000).default(10_000),
	/** Bearer token that GET /metrics requires (16+ characters); unset = /metrics is off. */
	METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
	/** Log lines as JSON (default when stdout is not a terminal) or plain text. */
	LOG_FORMAT: z.enum(['json', 'text']).optional(),
	LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
	/**
	 * `on`: one line per request, except heartbeat syncs answered 200 (thousands a second at the
	 * national rate; each is a row in `heartbeats` already). `all`: those too. `off`: none.
	 */
	LOG_REQUESTS: z.enum(['on', 'all', 'off']).default('on'),
	/** The Chromium (or Chrome) that renders report PDFs; Debian's package by default. */
	CHROMIUM_PATH: z.string().min(1).default('/usr/bin/chromium'),
	/** Where that browser reaches this server, when not at the address the request came to. */
	REPORT_ORIGIN: z.url({ message: 'must be a URL such as http://127.0.0.1:3000' }).optional(),
	/** Demo only: the campaign day the compressed clock starts on, the first time. */
	CLOCK_START_DAY: z.coerce
		.number({ message: 'must be a campaign day, 1 or more' })
		.int()
		.min(1)
		.default(1)
});

export type Config = Omit<z.infer<typeof schema>, 'DATA_DIR'> & {
	/** Absolute path of the embedded database's folder (used only without DATABASE_URL). */
	DATA_DIR: string;
};

export class ConfigError extends Error {
	override name = 'ConfigError';
}

/** Parses an environment; throws a ConfigError with one line per bad value. */
export function parseConfig(env: Record<string, string | undefined>): Config {
	// An empty variable means "not set", as in most shells' `VAR= command`.
	const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
	const result = schema.safeParse(present);
	if (!result.success) {
		const lines = result.error.issues.map(
			(issue) =>
				`${String(issue.path[0])}=${JSON.stringify(env[String(issue.path[0])])}: ${issue.message}`
		);
		throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`);
	}
	if (result.data.ALERT_WEBHOOK_URL && !result.data.ALERT_WEBHOOK_SECRET) {
		throw new ConfigError(
			'invalid configuration:\n  ALERT_WEBHOOK_SECRET: required when ALERT_WEBHOOK_URL is set (the key that signs each delivery)'
		);
	}
	if (result.data.CLOCK_SPEED !== 1 && result.data.DEMO !== '1') {
		throw new ConfigError(
			`invalid configuration:\n  CLOCK_SPEED=${JSON.stringify(env.CLOCK_SPEED)}: a compressed clock is only for the demo (set DEMO=1, or leave CLOCK_SPEED unset)`
		);
	}
	return { ...result.data, DATA_DIR: path.resolve(result.data.DATA_DIR) };
}

let cached: Config | undefined;

export function config(): Config {
	cached ??= parseConfig(process.env);
	return cached;
}

export function resetConfig(): void {
	cached = undefined;
}

const SECRET_KEYS = new Set(['ALERT_WEBHOOK_SECRET', 'METRICS_TOKEN']);

/** The configuration as `cli config` prints it: every value, secrets and URL passwords masked. */
export function describeConfig(cfg: Config): string[] {
	return Object.entries(cfg).map(([key, value]) => {
		let shown =
			value === undefined ? '(unset)' : Array.isArray(value) ? value.join(',') : String(value);
		if (value !== undefined && SECRET_KEYS.has(key)) shown = '********';
		else if (typeof value === 'string')
			shown = shown.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1********@');
		return `${key}=${shown}`;
	});
}
