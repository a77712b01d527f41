/**
 * The process's one typed event bus: what happened, said once, heard by everyone who cares. The
 * ingest path emits `commit` after each group commit; the roll-up store, the activity index, the
 * Redis bridge, the alert rules and the socket gateway each subscribe once (runtime.ts only builds
 * them in order). Handlers run synchronously, in the order they subscribed, so the roll-ups have
 * moved before a phone's request is answered; a handler that throws is logged and does not stop
 * the others.
 */
import type { RegionDelta, TpsOutcome } from '../../domain/coverage';
import type { AlertEvent, RegionNumbers } from '../../protocol/live';
import { describe, logger } from './log';

/** What one sync request of a group commit came to. */
export interface RequestResult {
	accepted: number;
	duplicates: number;
	/** Ids already naming a heartbeat with other content: refused (`idConflict`). */
	conflicts: string[];
	/** Each accepted or re-sent heartbeat's place in the log (null for one stored before the log, until the server sequenced it). */
	logIndexes: Record<string, number | null>;
}

/** A group commit (ingest/commit.ts), as the bus carries it to those who read it whole. */
export interface BatchResult {
	results: RequestResult[];
	/** Each touched TPS before and after. */
	tps: TpsOutcome[];
	/** What the batch adds to every region above the touched TPS. */
	deltas: Map<string, RegionDelta>;
	/** Server receive time of the batch (ms). */
	receivedAt: number;
}

/** A TPS a commit touched: its count and pending records after it. */
export interface TouchedTps {
	code: string;
	verified: number;
	pending: number;
}

/** Where an event came from: this process, or another one through Redis. */
export type Origin = 'local' | 'remote';

export interface ServerEvents {
	/** A group commit: what it adds to every region, the TPS it touched, when it was received. */
	commit: {
		deltas: Map<string, RegionDelta>;
		touched: TouchedTps[];
		at: number;
		origin: Origin;
		/** The whole result, for a commit made in this process (data-quality alerts read it). */
		result?: BatchResult;
	};
	/** A roster import changed targets (and people): what the targets move. */
	roster: {
		deltas: Map<string, RegionDelta>;
		targets: { tps: string; target: number }[];
		origin: Origin;
	};
	/** Regions whose numbers moved, as the roll-up store now holds them. */
	regions: RegionNumbers[];
	/** Alerts opened, acknowledged or resolved. */
	alerts: AlertEvent[];
	/** Device tokens of these TPS were revoked (a new phone enrolled, or revoked by hand). */
	tokensRevoked: { tps: string[]; origin: Origin };
	/** Sessions ended (signed out elsewhere, by an admin, a new password or factor): close their sockets. */
	sessionsEnded: { ids: string[]; origin: Origin };
	/** Campaign dates, curves or thresholds changed. */
	planChanged: { origin: Origin };
	/** Another process's messages were lost on the way: what they said must be recounted. */
	missed: Record<string, never>;
}

export type EventName = keyof ServerEvents;
type Handler<K extends EventName> = (payload: ServerEvents[K]) => void;

export class EventBus {
	private handlers = new Map<EventName, Handler<EventName>[]>();

	/** Subscribes; returns the function that unsubscribes. */
	on<K extends EventName>(name: K, handler: Handler<K>): () => void {
		const list = this.handlers.get(name) ?? [];
		list.push(handler as Handler<EventName>);
		this.handlers.set(name, list);
		return () => {
			const current = this.handlers.get(name) ?? [];
			this.handlers.set(
				name,
				current.filter((h) => h !== handler)
			);
		};
	}

	emit<K extends EventName>(name: K, payload: ServerEvents[K]): void {
		for (const handler of this.handlers.get(name) ?? []) {
			try {
				handler(payload);
			} catch (error) {
				logger().error(`[events] a ${name} handler failed: ${describe(error)}`);
			}
		}
	}
}
