/**
 * Scale-out: several server processes behind one address act as one. Each process holds every
 * region's roll-up in memory, so processes tell each other, over Redis pub/sub, what changed in
 * theirs: a commit's region deltas and touched TPS, an import's deltas and targets, revoked device
 * tokens, an edited plan. The bridge listens to this process's event bus for local events and
 * publishes them; what it receives it emits on the bus as `remote` events, which the roll-up
 * store, the activity index, the token cache and the plan hear as if they happened here. No
 * socket.io adapter is needed: no process ever relays another's socket events.
 *
 * Redis pub/sub delivers at most once. Each message carries its sender's sequence number; a gap (a
 * message lost while Redis or the link was down) is announced as `missed`, and the roll-ups are
 * recounted from the TPS table, which is always exact.
 */
import { randomUUID } from 'node:crypto';
import type { RegionDelta } from '../../domain/coverage';
import type { EventBus } from './events';
import { describe, logger } from './log';
import type { RedisClient } from './redis';

const CHANNEL = 'pantau:events';

/** [code, verified, target, tpsSynced, tpsComplete] */
type WireDelta = [string, number, number, number, number];

type Payload =
	| { kind: 'commit'; deltas: WireDelta[]; tps: [string, number, number][]; at: number }
	| { kind: 'roster'; deltas: WireDelta[]; targets: [string, number][] }
	| { kind: 'tokensRevoked'; tps: string[] }
	| { kind: 'sessionsEnded'; ids: string[] }
	| { kind: 'planChanged' };

type Message = Payload & { from: string; seq: number };

const toWire = (deltas: Map<string, RegionDelta>): WireDelta[] =>
	[...deltas].map(([code, d]) => [code, d.verified, d.target, d.tpsSynced, d.tpsComplete]);

const fromWire = (deltas: WireDelta[]) =>
	new Map(
		deltas.map(([code, verified, target, tpsSynced, tpsComplete]) => [
			code,
			{ verified, target, tpsSynced, tpsComplete }
		])
	);

export class RedisBridge {
	readonly id = randomUUID();
	private seq = 0;
	private lastSeen = new Map<string, number>();

	private constructor(
		private publisher: RedisClient,
		private subscriber: RedisClient,
		private bus: EventBus
	) {}

	/** Subscribes on a duplicate of the process's Redis client (which it publishes through). */
	static async connect(publisher: RedisClient, bus: EventBus): Promise<RedisBridge> {
		const subscriber = publisher.duplicate();
		subscriber.on('error', (error) => logger().error(`[bridge] redis: ${error.message}`));
		await subscriber.connect();
		const bridge = new RedisBridge(publisher, subscriber, bus);
		await subscriber.subscribe(CHANNEL, (text) => bridge.receive(text));
		bus.on('commit', (e) => {
			if (e.origin !== 'local' || (e.deltas.size === 0 && e.touched.length === 0)) return;
			bridge.publish({
				kind: 'commit',
				deltas: toWire(e.deltas),
				tps: e.touched.map((t) => [t.code, t.verified, t.pending]),
				at: e.at
			});
		});
		bus.on('roster', (e) => {
			if (e.origin === 'local')
				bridge.publish({
					kind: 'roster',
					deltas: toWire(e.deltas),
					targets: e.targets.map((t) => [t.tps, t.target])
				});
		});
		bus.on('sessionsEnded', (e) => {
			if (e.origin === 'local') bridge.publish({ kind: 'sessionsEnded', ids: e.ids });
		});
		bus.on('tokensRevoked', (e) => {
			if (e.origin === 'local') bridge.publish({ kind: 'tokensRevoked', tps: e.tps });
		});
		bus.on('planChanged', (e) => {
			if (e.origin === 'local') bridge.publish({ kind: 'planChanged' });
		});
		return bridge;
	}

	private receive(text: string) {
		let message: Message;
		try {
			message = JSON.parse(text) as Message;
		} catch {
			logger().error('[bridge] ignored a message that is not JSON');
			return;
		}
		if (message.from === this.id) return;
		const last = this.lastSeen.get(message.from);
		this.lastSeen.set(message.from, message.seq);
		if (last !== undefined && message.seq !== last + 1) this.bus.emit('missed', {});
		try {
			this.apply(message);
		} catch (error) {
			logger().error(`[bridge] ignored a ${message.kind} message: ${describe(error)}`);
		}
	}

	private apply(message: Message) {
		switch (message.kind) {
			case 'commit':
				return this.bus.emit('commit', {
					deltas: fromWire(message.deltas),
					touched: message.tps.map(([code, verified, pending]) => ({ code, verified, pending })),
					at: message.at,
					origin: 'remote'
				});
			case 'roster':
				return this.bus.emit('roster', {
					deltas: fromWire(message.deltas),
					targets: message.targets.map(([tps, target]) => ({ tps, target })),
					origin: 'remote'
				});
			case 'sessionsEnded':
				return this.bus.emit('sessionsEnded', { ids: message.ids, origin: 'remote' });
			case 'tokensRevoked':
				return this.bus.emit('tokensRevoked', { tps: message.tps, origin: 'remote' });
			case 'planChanged':
				return this.bus.emit('planChanged', { origin: 'remote' });
		}
	}

	private publish(payload: Payload): void {
		const message: Message = { ...payload, from: this.id, seq: ++this.seq };
		this.publisher.publish(CHANNEL, JSON.stringify(message)).catch((error: Error) => {
			// Lost: the others will see the sequence gap on our next message and recount.
			logger().error(`[bridge] publish failed: ${error.message}`);
		});
	}

	/** Closes the subscription; the shared client is closed by its owner. */
	async close(): Promise<void> {
		await Promise.allSettled([this.subscriber.close()]);
	}
}
