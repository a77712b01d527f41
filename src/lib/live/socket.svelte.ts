/**
 * The browser's one socket to the server: created lazily, `autoConnect: false`, authenticated by
 * the session cookie. Subscriptions survive reconnects (subscribed again on each connect) and a
 * gap in a region's `version` triggers a fresh snapshot.
 */
import { io, type Socket } from 'socket.io-client';
import type {
	AlertMessage,
	ClientToServerEvents,
	RegionNumbers,
	ServerToClientEvents,
	SubscribeAnswer
} from '../realtime/events';
import { LIVE_PATH } from '../realtime/events';

type LiveSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export const connection = $state({
	status: 'idle' as 'idle' | 'connecting' | 'live' | 'offline',
	everConnected: false
});

interface Subscription {
	regions: string[];
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

function send(subscription: Subscription) {
	socket?.emit('subscribe', { regions: subscription.regions }, (answer) => {
		for (const { region, children } of answer.snapshots) {
			for (const r of [region, ...children]) versions.set(r.code, r.version);
		}
		subscription.onSnapshot(answer);
	});
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
	socket.on('progress', (regions) => {
		let gap = false;
		for (const region of regions) {
			const known = versions.get(region.code);
			if (known !== undefined && region.version > known + 1) gap = true;
			versions.set(region.code, region.version);
		}
		for (const subscription of subscriptions) {
			if (gap) send(subscription);
			else subscription.onProgress(regions);
		}
	});
	socket.on('alert', (message) => {
		for (const listener of alertListeners) listener(message);
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
