/**
 * The outbound alert webhook (ALERT_WEBHOOK_URL): alert changes are queued and POSTed in batches
 * as JSON, signed with HMAC-SHA256 of the body under ALERT_WEBHOOK_SECRET in the
 * `X-Pantau-Signature: sha256=<hex>` header. A failed delivery is retried with exponential backoff
 * (1 s doubling to 5 min); nothing here is awaited by ingestion, and a full queue drops its oldest
 * entries with a log line rather than grow without bound.
 */
import { createHmac } from 'node:crypto';
import type { AlertEvent } from '../../protocol/live';
import { logger } from '../log';

export const SIGNATURE_HEADER = 'x-pantau-signature';
const BATCH = 100;
const MAX_QUEUE = 50_000;
const MAX_BACKOFF_MS = 300_000;
const TIMEOUT_MS = 5_000;

export const signature = (secret: string, body: string) =>
	`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

export class AlertWebhook {
	private queue: AlertEvent[] = [];
	private sending = false;
	private backoff = 1_000;
	private timer: NodeJS.Timeout | null = null;
	private closed = false;
	delivered = 0;
	failures = 0;

	constructor(
		private url: string,
		private secret: string,
		private log: (line: string) => void = (line) => logger().warn(line)
	) {}

	/** Queues alert changes; returns at once. */
	enqueue(events: AlertEvent[]): void {
		if (this.closed || events.length === 0) return;
		this.queue.push(...events);
		if (this.queue.length > MAX_QUEUE) {
			const dropped = this.queue.length - MAX_QUEUE;
			this.queue.splice(0, dropped);
			this.log(`[webhook] queue full: dropped the ${dropped} oldest alert changes`);
		}
		if (!this.sending && !this.timer) void this.drain();
	}

	get pending(): number {
		return this.queue.length;
	}

	private async drain(): Promise<void> {
		this.sending = true;
		while (this.queue.length > 0 && !this.closed) {
			const batch = this.queue.slice(0, BATCH);
			const body = JSON.stringify({ alerts: batch });
			try {
				const response = await fetch(this.url, {
					method: 'POST',
					headers: {
						'content-type': 'application/json',
						[SIGNATURE_HEADER]: signature(this.secret, body)
					},
					body,
					signal: AbortSignal.timeout(TIMEOUT_MS)
				});
				if (!response.ok) throw new Error(`answered ${response.status}`);
				this.queue.splice(0, batch.length);
				this.delivered += batch.length;
				this.backoff = 1_000;
			} catch (error) {
				this.failures += 1;
				this.log(
					`[webhook] delivery failed (${(error as Error).message}); retrying in ${this.backoff / 1000} s`
				);
				this.sending = false;
				this.timer = setTimeout(() => {
					this.timer = null;
					void this.drain();
				}, this.backoff);
				this.timer.unref();
				this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
				return;
			}
		}
		this.sending = false;
	}

	close(): void {
		this.closed = true;
		if (this.timer) clearTimeout(this.timer);
	}
}
