/** The socket.io protocol, shared by server and browser (types and limits only). */
import type { AlertRule } from '../domain/alerts';
import type { RegionLevel } from '../domain/codes';

/** A region's live numbers, the same shape as GET /api/v1/regions/<code>. */
export interface RegionNumbers {
	code: string;
	level: RegionLevel;
	name: string;
	verified: number;
	target: number;
	tps: number;
	tpsSynced: number;
	tpsComplete: number;
	/**
	 * Grows by one per change of the region, counted by the server process that answers (see
	 * `epoch`): two numbers compare only within one epoch.
	 */
	version: number;
}

/** A region in a `progress` message: its numbers, and the version they replace. */
export interface RegionChange extends RegionNumbers {
	/**
	 * The region's version when the previous `progress` message carrying it was sent (changes in
	 * between were coalesced into this one). A client that knows this version or a later one has
	 * missed nothing; one that knows an earlier version missed a change and should subscribe again.
	 */
	previousVersion: number;
}

/** Most regions one subscribe or unsubscribe may name. */
export const MAX_REGIONS_PER_REQUEST = 50;
/** Most regions one socket may watch at once. */
export const MAX_WATCHED_REGIONS = 200;
/** Most subscribe and unsubscribe requests per socket per 10 s. */
export const MAX_REQUESTS_PER_10S = 30;
/** A socket message larger than this closes the connection (socket.io's maxHttpBufferSize). */
export { MAX_MESSAGE_BYTES } from './limits.js';

export interface SubscribeRequest {
	/** Region codes, and TPS codes (13 digits) to hear of each new heartbeat of that TPS. */
	regions: string[];
}

export interface SubscribeAnswer {
	/** Identifies the server process's version numbering; it changes when the server restarts. */
	epoch: string;
	snapshots: { region: RegionNumbers; children: RegionNumbers[] }[];
	/** The TPS codes now watched (no snapshot: their numbers are the TPS API's). */
	tps?: string[];
	/** Regions refused one by one (unknown, outside the caller's scope). */
	errors: { code: string; error: string }[];
	/** Set when the whole request was refused (wrong shape, too many regions): nothing changed. */
	error?: string;
}

export interface UnsubscribeAnswer {
	ok: boolean;
	error?: string;
}

/** A request refused when the client sent no acknowledgement callback to answer it through. */
export interface Refusal {
	event: string;
	error: string;
}

/** An alert opened, acknowledged or resolved, for a subject inside a subscribed region. */
export interface AlertEvent {
	id: number;
	rule: AlertRule;
	/** A region code (behind target) or a TPS code. */
	subject: string;
	status: 'open' | 'acknowledged' | 'resolved';
	details: Record<string, number | string>;
	/** ISO time of the change, on the server's clock. */
	at: string;
}

export interface AlertMessage {
	/** At most 100 changes per message, newest first... */
	alerts: AlertEvent[];
	/** ...and how many more there were. */
	more: number;
}

export interface ServerToClientEvents {
	/**
	 * Every watched region (a subscribed one or a child of one) whose numbers changed, latest
	 * numbers only. `sentAt`: the server's clock (ms since the epoch) when it was sent; `epoch`:
	 * as in the subscribe answer (a different one means the server restarted: subscribe again).
	 */
	progress: (regions: RegionChange[], sentAt: number, epoch: string) => void;
	/** Alerts that changed inside the subscribed regions. */
	alert: (message: AlertMessage) => void;
	/** A subscribe or unsubscribe sent without an acknowledgement callback was refused. */
	refused: (refusal: Refusal) => void;
	/** Watched TPS that stored new heartbeats (read them from the chronology API). */
	heartbeats: (tps: string[], sentAt: number, epoch: string) => void;
}

export interface ClientToServerEvents {
	subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAnswer) => void) => void;
	unsubscribe: (request: SubscribeRequest, ack?: (answer: UnsubscribeAnswer) => void) => void;
}

export const LIVE_PATH = '/socket.io';
