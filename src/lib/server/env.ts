/**
 * Configuration, read from the environment and validated once. Everything else imports
 * `config()`; tests call `resetConfig()` after changing process.env.
 */
import path from 'node:path';
import { z } from 'zod';

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
	DATABASE_URL: z
		.string()
		.regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
		.optional(),
	DATA_DIR: z.string().min(1).default('./data'),
	SEED_PROVINCES: provinceList.optional(),
	DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
	/** How long a device token lookup is remembered; a revocation by another process waits this long. */
	TOKEN_CACHE_MS: z.coerce.number().int().min(0).max(600_000).default(5_000),
	/** Group-commit transactions in flight at once (PostgreSQL server only; PGlite uses 1). */
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
	/** Heartbeat requests per minute allowed for one device token. */
	HEARTBEAT_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(120)
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
