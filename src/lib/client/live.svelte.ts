/**
 * The browser's one socket to the server: created lazily, `autoConnect: false`, authenticated by
 * the session cookie. Subscriptions survive reconnects (subscribed again on each connect). Each
 * `progress` region says which version it replaces (`previousVersion`): the client subscribes
 * again only when that is newer than what it knows (a change was really missed) or when the
 * server's `epoch` changed (it restarted, or this is another process), never because changes
 * were coalesced.
 */
import { io, type Socket } from 'socket.io-client';
import type {
	AlertMessage,
	ClientToServerEvents,
	RegionNumbers,
	ServerToClientEvents,
	SubscribeAnswer
} from '../protocol/live';
import { LIVE_PATH } from '../protocol/live';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const connection = $state({
	status: 'idle' as 'idle' | 'connecting' | 'live' | 'offline',
	everConnected: false,
	/** The server's epoch from the latest answer (numbers compare only within one). */
	epoch: null as string | null
});

interface Subscription {
	regions: string[];
	/** A fresh snapshot: replaces whatever the page held for these regions. */
	onSnapshot: (answer: SubscribeAnswer) => void;
	onProgress: (regions: RegionNumbers[]) => void;
}

let socket: LiveSocket | null = null;
// Bookkeeping, never rendered: plain collections on purpose (no reactivity wanted).
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const subscriptions = new Set<Subscription>();
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const versions = new Map<string, number>();
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const alertListeners = new Set<(message: AlertMessage) => void>();
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const heartbeatListeners = new Map<string, Set<() => void>>();
/** Subscriptions sent again because something was missed (for tests and diagnostics). */
export const resubscribes = { count: 0 };

function send(subscription: Subscription) {
	socket?.emit('subscribe', { regions: subscription.regions }, (answer) => {
		if (answer.error) return;
		if (answer.epoch !== connection.epoch) {
			versions.clear();
			connection.epoch = answer.epoch;
		}
		for (const { region, children } of answer.snapshots) {
			for (const r of [region, ...children]) versions.set(r.code, r.version);
		}
		subscription.onSnapshot(answer);
	});
}

function resubscribeAll() {
	resubscribes.count += 1;
	for (const subscription of subscriptions) send(subscription);
}

function ensureSocket(): LiveSocket {
	if (socket) return socket;
	socket = io({ path: LIVE_PATH, autoConnect: false, transports: ['websocket', 'polling'] });
	socket.on('connect', () => {
		connection.status = 'live';
		connection.everConnected = true;
		for (const subscription of subscriptions) send(subscription);
	});
	socket.on('disconnect', () => (connection.status = 'offline'));
	socket.on('connect_error', () => (connection.status = 'offline'));
	socket.on('progress', (regions, _sentAt, epoch) => {
		if (epoch !== connection.epoch) return resubscribeAll();
		const fresh: RegionNumbers[] = [];
		let missed = false;
		for (const region of regions) {
			const known = versions.get(region.code);
			if (known !== undefined && region.previousVersion > known) missed = true;
			if (known !== undefined && region.version <= known) continue;
			versions.set(region.code, region.version);
			fresh.push(region);
		}
		if (missed) return resubscribeAll();
		if (fresh.length === 0) return;
		for (const subscription of subscriptions) subscription.onProgress(fresh);
	});
	socket.on('alert', (message) => {
		for (const listener of alertListeners) listener(message);
	});
	socket.on('heartbeats', (tps) => {
		for (const code of tps) for (const listener of heartbeatListeners.get(code) ?? []) listener();
	});
	connection.status = 'connecting';
	socket.connect();
	return socket;
}

/** Watches regions (and their children); returns the function that stops watching. */
export function watchRegions(
	regions: string[],
	onProgress: Subscription['onProgress'],
	onSnapshot: Subscription['onSnapshot'] = () => {}
): () => void {
	const subscription: Subscription = { regions, onProgress, onSnapshot };
	subscriptions.add(subscription);
	const live = ensureSocket();
	if (live.connected) send(subscription);
	return () => {
		subscriptions.delete(subscription);
		live.emit('unsubscribe', { regions });
	};
}

/** Alert changes inside the regions (the socket joins their rooms); returns the stop function. */
export function watchAlerts(
	regions: string[],
	onAlert: (message: AlertMessage) => void
): () => void {
	alertListeners.add(onAlert);
	const stop = watchRegions(regions, () => {});
	return () => {
		alertListeners.delete(onAlert);
		stop();
	};
}

/** Calls `onHeartbeat` when the TPS stores a new heartbeat; returns the stop function. */
export function watchTps(code: string, onHeartbeat: () => void): () => void {
	let listeners = heartbeatListeners.get(code);
	// Plain listener bookkeeping, not state the page renders.
	// eslint-disable-next-line svelte/prefer-svelte-reactivity
	if (!listeners) heartbeatListeners.set(code, (listeners = new Set()));
	listeners.add(onHeartbeat);
	const stop = watchRegions([code], () => {});
	return () => {
		listeners!.delete(onHeartbeat);
		stop();
	};
}
