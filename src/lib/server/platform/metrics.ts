/**
 * Prometheus metrics (prom-client, the standard Node client): heartbeats by result and reason,
 * ingest responses, queue depth and commit latency, HTTP requests by route and status, socket.io
 * connections and events, open alerts by rule, and the process's own (event-loop lag, heap, RSS).
 * Served at GET /metrics with `Authorization: Bearer <METRICS_TOKEN>` (off without the token).
 */
import client from 'prom-client';

export function createMetrics() {
	const registry = new client.Registry();
	client.collectDefaultMetrics({ register: registry, prefix: 'pantau_' });
	const registers = [registry];
	return {
		registry,
		heartbeats: new client.Counter({
			name: 'pantau_heartbeats_total',
			help: 'Heartbeat items by result (accepted, duplicate, rejected) and rejection reason',
			labelNames: ['result', 'reason'],
			registers
		}),
		ingestResponses: new client.Counter({
			name: 'pantau_ingest_responses_total',
			help: 'POST /api/v1/heartbeats answers by status',
			labelNames: ['status'],
			registers
		}),
		commitSeconds: new client.Histogram({
			name: 'pantau_ingest_commit_seconds',
			help: 'Time of one group commit (a statement for many requests)',
			buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
			registers
		}),
		queueItems: new client.Gauge({
			name: 'pantau_ingest_queue_items',
			help: 'Heartbeat items accepted for commit and not yet committed',
			registers
		}),
		httpRequests: new client.Counter({
			name: 'pantau_http_requests_total',
			help: 'HTTP requests by route and status',
			labelNames: ['route', 'status'],
			registers
		}),
		socketConnections: new client.Gauge({
			name: 'pantau_socketio_connections',
			help: 'Open socket.io connections',
			registers
		}),
		socketEvents: new client.Counter({
			name: 'pantau_socketio_events_total',
			help: 'socket.io messages emitted, by event',
			labelNames: ['event'],
			registers
		}),
		alertsOpen: new client.Gauge({
			name: 'pantau_alerts_open',
			help: 'Open and acknowledged alerts by rule',
			labelNames: ['rule'],
			registers
		})
	};
}

export type Metrics = ReturnType<typeof createMetrics>;

/** A rejection message as a low-cardinality label (codes and numbers folded). */
export const reasonOf = (message: string) =>
	message
		.replace(/\d+(\.\d+)?/g, '#')
		.replace(/"[^"]*"/g, '"…"')
		.slice(0, 60);

/** What the metrics read at scrape time from the running services. */
export interface MetricSources {
	queueDepth: () => number;
	live: { connections: number; emitted: { progress: number; alert: number } };
	openByRule: () => Map<string, number>;
}

/**
 * The Prometheus text for GET /metrics, with the gauges read now. `collect`: a full garbage
 * collection first, when the process runs with --expose-gc (the fault suite compares heaps).
 */
export function metricsReader(metrics: Metrics, sources: MetricSources) {
	let emitted = { progress: 0, alert: 0 };
	return async (collect = false): Promise<string> => {
		const gc = (globalThis as { gc?: () => void }).gc;
		if (collect && gc) gc();
		metrics.queueItems.set(sources.queueDepth());
		metrics.socketConnections.set(sources.live.connections);
		for (const event of ['progress', 'alert'] as const)
			metrics.socketEvents.inc({ event }, sources.live.emitted[event] - emitted[event]);
		emitted = { ...sources.live.emitted };
		metrics.alertsOpen.reset();
		for (const [rule, n] of sources.openByRule()) metrics.alertsOpen.set({ rule }, n);
		return metrics.registry.metrics();
	};
}

/** Counts each answer of the sync API by status, and each item by result (accepted, duplicate, rejected). */
export function countIngestAnswer(
	metrics: Metrics,
	response: { status: number; body: Record<string, unknown> }
): void {
	metrics.ingestResponses.inc({ status: String(response.status) });
	if (response.status !== 200) return;
	const body = response.body as {
		accepted: number;
		duplicates: number;
		rejected: { error: string }[];
	};
	if (body.accepted) metrics.heartbeats.inc({ result: 'accepted', reason: '' }, body.accepted);
	if (body.duplicates) metrics.heartbeats.inc({ result: 'duplicate', reason: '' }, body.duplicates);
	for (const r of body.rejected)
		metrics.heartbeats.inc({ result: 'rejected', reason: reasonOf(r.error) });
}
