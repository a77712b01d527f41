/**
 * The outbound alert webhook (ALERT_WEBHOOK_URL): alert changes are written to `webhook_outbox`
 * in the same statement or transaction as the change itself, and delivered from there, oldest
 * first, in batches of up to 100 POSTed as `{"alerts": [...]}`, signed with HMAC-SHA256 of the
 * body under ALERT_WEBHOOK_SECRET in `X-Pantau-Signature: sha256=<hex>`. Delivered at least once
 * and in order per subject: one process at a time delivers (a lease row it renews); a failed
 * delivery is retried with backoff (1 s doubling to 5 min) by whichever process holds the lease;
 * a restart, or SIGKILL, loses nothing. Ingestion never waits for any of it.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { rows, type Database } from '../platform/db/client';
import { webhookOutbox } from '../platform/db/schema';
import { describe, logger } from '../platform/log';

export const SIGNATURE_HEADER = 'x-pantau-signature';
const BATCH = 100;
const MAX_BACKOFF_MS = 300_000;
const TIMEOUT_MS = 5_000;
const LEASE_MS = 10_000;
const POLL_MS = 1_000;
/** Delivered rows are kept this long (to look at), then removed: the audit log is the record. */
const KEEP_DELIVERED_MS = 24 * 3_600_000;

export const signature = (secret: string, body: string) =>
	`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** Backoff after the n-th failed attempt: 1 s, 2 s, 4 s … 5 min. */
export const backoffMs = (attempts: number) =>
	Math.min(1_000 * 2 ** Math.max(0, attempts - 1), MAX_BACKOFF_MS);

export class WebhookOutbox {
	private readonly id = randomUUID();
	private timer: NodeJS.Timeout | null = null;
	private delivering: Promise<void> | null = null;
	private closed = false;
	delivered = 0;
	failures = 0;

	constructor(
		private db: Database,
		private url: string,
		private secret: string,
		private log: (line: string) => void = (line) => logger().warn(line)
	) {}

	/** Polls the outbox (and is woken by `poke` when this process queued something). */
	start(): void {
		this.timer = setInterval(() => this.poke(), POLL_MS);
		this.timer.unref();
		this.poke();
	}

	/** Delivers what is due now, unless a delivery is already running. */
	poke(): Promise<void> {
		if (this.closed) return Promise.resolve();
		this.delivering ??= this.deliver()
			.catch((error) => this.log(`[webhook] delivery round failed: ${describe(error)}`))
			.finally(() => (this.delivering = null));
		return this.delivering;
	}

	/** Takes (or renews) the lease; true when this process may deliver. */
	private async lease(): Promise<boolean> {
		const until = new Date(Date.now() + LEASE_MS).toISOString();
		const held = await rows<{ holder: string }>(
			this.db,
			sql`insert into webhook_lease (id, holder, until) values (1, ${this.id}, ${until}::timestamptz)
				on conflict (id) do update set holder = excluded.holder, until = excluded.until
				where webhook_lease.holder = excluded.holder or webhook_lease.until < now()
				returning holder`
		);
		return held.length === 1;
	}

	private async deliver(): Promise<void> {
		while (!this.closed && (await this.lease())) {
			const batch = await this.db
				.select({
					id: webhookOutbox.id,
					event: webhookOutbox.event,
					attempts: webhookOutbox.attempts,
					nextAttemptAt: webhookOutbox.nextAttemptAt
				})
				.from(webhookOutbox)
				.where(isNull(webhookOutbox.deliveredAt))
				.orderBy(webhookOutbox.id)
				.limit(BATCH);
			if (batch.length === 0) break;
			// Order first: nothing after the oldest undelivered change goes before it does.
			if (batch[0].nextAttemptAt.getTime() > Date.now()) break;
			const body = JSON.stringify({ alerts: batch.map((row) => row.event) });
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
			} catch (error) {
				this.failures += 1;
				const attempts = batch[0].attempts + 1;
				const wait = backoffMs(attempts);
				await this.db
					.update(webhookOutbox)
					.set({ attempts, nextAttemptAt: new Date(Date.now() + wait) })
					.where(eq(webhookOutbox.id, batch[0].id));
				this.log(
					`[webhook] delivery failed (${(error as Error).message}); retrying in ${wait / 1000} s`
				);
				break;
			}
			await this.db
				.update(webhookOutbox)
				.set({ deliveredAt: new Date() })
				.where(
					inArray(
						webhookOutbox.id,
						batch.map((row) => row.id)
					)
				);
			this.delivered += batch.length;
		}
		await this.db
			.delete(webhookOutbox)
			.where(
				and(
					lt(webhookOutbox.deliveredAt, new Date(Date.now() - KEEP_DELIVERED_MS)),
					sql`${webhookOutbox.deliveredAt} is not null`
				)
			);
	}

	/** Undelivered changes (for tests and metrics). */
	async pending(): Promise<number> {
		const [row] = await rows<{ n: number }>(
			this.db,
			sql`select count(*)::int as n from webhook_outbox where delivered_at is null`
		);
		return row.n;
	}

	/** Stops delivering and hands the lease back, so another process takes over at once. */
	async close(): Promise<void> {
		this.closed = true;
		if (this.timer) clearInterval(this.timer);
		await this.delivering;
		await this.db
			.execute(sql`update webhook_lease set until = now() where holder = ${this.id}`)
			.catch(() => {});
	}
}
