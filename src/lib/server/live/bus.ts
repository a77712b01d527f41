/**
 * Scale-out: several server processes behind one address act as one. Each process holds every
 * region's roll-up in memory, so processes exchange what a commit changed (its region deltas)
 * over Redis pub/sub; every process applies the others' deltas to its store and pushes them to
 * its own sockets. No socket.io adapter is needed: no process ever relays another's events.
 *
 * Redis pub/sub delivers at most once. Each message carries its sender's sequence number; a gap
 * (a message lost while Redis or the link was down) makes the receiver recount its roll-ups from
 * the TPS table, which is always exact.
 */
import { logger } from '../log';
import { randomUUID } from 'node:crypto';
import type { RegionDelta } from '../../domain/coverage';
import type { RedisClient } from '../redis';

const CHANNEL = 'pantau:deltas';

interface Message {
	from: string;
	seq: number;
	/** [code, verified, target, tpsSynced, tpsComplete] */
	deltas: [string, number, number, number, number][];
	/** The TPS the commit touched ([code, verified, pending]) and its receive time, for activity. */
	tps: [string, number, number][];
	at: number;
}

/** What one commit changed, as shared between processes. */
export interface SharedCommit {
	deltas: Map<string, RegionDelta>;
	touched: TouchedTps[];
	at: number;
}

export interface TouchedTps {
	code: string;
	verified: number;
	pending: number;
}

interface Handlers {
	onCommit: (commit: SharedCommit) => void;
	onGap: () => void;
}

export class DeltaBus {
	readonly id = randomUUID();
	private seq = 0;
	private lastSeen = new Map<string, number>();

	private constructor(
		private publisher: RedisClient,
		private subscriber: RedisClient
	) {}

	/** Subscribes on a duplicate of the process's Redis client (which it publishes through). */
	static async connect(publisher: RedisClient, handlers: Handlers): Promise<DeltaBus> {
		const subscriber = publisher.duplicate();
		subscriber.on('error', (error) => logger().error(`[bus] redis: ${error.message}`));
		await subscriber.connect();
		const bus = new DeltaBus(publisher, subscriber);
		await subscriber.subscribe(CHANNEL, (text) => bus.receive(text, handlers));
		return bus;
	}

	private receive(text: string, handlers: Handlers) {
		let message: Message;
		try {
			message = JSON.parse(text) as Message;
		} catch {
			logger().error('[bus] ignored a message that is not JSON');
			return;
		}
		if (message.from === this.id) return;
		const last = this.lastSeen.get(message.from);
		this.lastSeen.set(message.from, message.seq);
		if (last !== undefined && message.seq !== last + 1) handlers.onGap();
		handlers.onCommit({
			deltas: new Map(
				message.deltas.map(([code, verified, target, tpsSynced, tpsComplete]) => [
					code,
					{ verified, target, tpsSynced, tpsComplete }
				])
			),
			touched: message.tps.map(([code, verified, pending]) => ({ code, verified, pending })),
			at: message.at
		});
	}

	publish({ deltas, touched, at }: SharedCommit): void {
		if (deltas.size === 0 && touched.length === 0) return;
		const message: Message = {
			from: this.id,
			seq: ++this.seq,
			deltas: [...deltas].map(([code, d]) => [
				code,
				d.verified,
				d.target,
				d.tpsSynced,
				d.tpsComplete
			]),
			tps: touched.map((t) => [t.code, t.verified, t.pending]),
			at
		};
		this.publisher.publish(CHANNEL, JSON.stringify(message)).catch((error: Error) => {
			// Lost: the others will see the sequence gap on our next message and recount.
			logger().error(`[bus] publish failed: ${error.message}`);
		});
	}

	/** Closes the subscription; the shared client is closed by its owner. */
	async close(): Promise<void> {
		await Promise.allSettled([this.subscriber.close()]);
	}
}
