/** One log line per HTTP request (LOG_REQUESTS), and the request counter for /metrics. */
import type { Config } from '../env';
import { logger } from '../log';
import type { Metrics } from '../metrics';

export interface RequestLog {
	id: string;
	method: string;
	path: string;
	status: number;
	ms: number;
	/** The route with codes folded, or the fast path's own name (low cardinality). */
	route: string;
}

/** The phones' sync endpoint: its accepted requests are not logged one by one (LOG_REQUESTS=on). */
const HEARTBEATS_PATH = '/api/v1/heartbeats';

export function requestLogger(cfg: Pick<Config, 'LOG_REQUESTS'>, metrics: Metrics) {
	return (entry: RequestLog): void => {
		metrics.httpRequests.inc({ route: entry.route, status: String(entry.status) });
		if (cfg.LOG_REQUESTS === 'off') return;
		// Each accepted heartbeat is a row in `heartbeats` already (thousands a second nationally).
		if (cfg.LOG_REQUESTS === 'on' && entry.status === 200 && entry.path === HEARTBEATS_PATH) return;
		const { id, method, path, status, ms } = entry;
		logger().info({ req: id, method, path, status, ms }, 'request');
	};
}
