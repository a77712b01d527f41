/** The socket.io protocol, shared by server and browser (types only). */
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
	/** Grows by one per change; a gap means a missed update: subscribe again. */
	version: number;
}

export interface SubscribeRequest {
	regions: string[];
}

export interface SubscribeAnswer {
	snapshots: { region: RegionNumbers; children: RegionNumbers[] }[];
	errors: { code: string; error: string }[];
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
	/** Every subscribed region (or child of one) whose numbers changed in the last window. */
	/** `sentAt`: the server's clock (ms since the epoch) when the window closed, for latency. */
	progress: (regions: RegionNumbers[], sentAt: number) => void;
	/** Alerts that changed inside the subscribed regions. */
	alert: (message: AlertMessage) => void;
}

export interface ClientToServerEvents {
	subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAnswer) => void) => void;
	unsubscribe: (request: SubscribeRequest, ack?: (answer: { ok: true }) => void) => void;
}

export const LIVE_PATH = '/socket.io';
