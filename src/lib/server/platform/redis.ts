/**
 * The Redis connection (REDIS_URL) that several server processes share: roll-up changes over
 * pub/sub, login limits, device-token revocations. One client per process; subscribers duplicate it.
 */
import { createClient } from 'redis';
import { StartupError } from './startup-error';
import { logger } from './log';

export type RedisClient = ReturnType<typeof createClient>;

export const describeRedisUrl = (url: string) => url.replace(/\/\/[^@]*@/, '//');

/** Connects, or stops start-up with a line saying what to fix. */
export async function connectRedis(url: string): Promise<RedisClient> {
	const client = createClient({ url });
	// Connection errors are logged and retried by the client; they must not crash the server.
	client.on('error', (error) => logger().error(`[redis] ${error.message}`));
	try {
		await client.connect();
	} catch (error) {
		await client.destroy();
		throw new StartupError(
			`cannot reach Redis at ${describeRedisUrl(url)}: ${(error as Error).message}`,
			'Check REDIS_URL and that Redis is running, or unset REDIS_URL to run a single process',
			{ cause: error }
		);
	}
	return client;
}
