/** The socket.io protocol, shared by server and browser (types only). */
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

export interface ServerToClientEvents {
	/** Every subscribed region (or child of one) whose numbers changed in the last window. */
	progress: (regions: RegionNumbers[]) => void;
}

export interface ClientToServerEvents {
	subscribe: (request: SubscribeRequest, ack: (answer: SubscribeAnswer) => void) => void;
	unsubscribe: (request: SubscribeRequest, ack?: (answer: { ok: true }) => void) => void;
}

export const LIVE_PATH = '/socket.io';
