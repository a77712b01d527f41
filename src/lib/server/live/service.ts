/**
 * Live push over socket.io. Connections authenticate in the handshake (session cookie, or a
 * read-only API token in `auth.token`) and may only subscribe to regions in their scope. Changes
 * from the roll-up store are coalesced: every LIVE_WINDOW_MS each socket gets at most one
 * `progress` message with the latest numbers of every changed region it watches (a region it
 * subscribed to, or a child of one). Sockets can do nothing but subscribe and unsubscribe.
 */
import type { Server, Socket } from 'socket.io';
import { isWithin, parentCode } from '../../domain/codes';
import { canView, type Principal } from '../../domain/roles';
import type {
	AlertEvent,
	ClientToServerEvents,
	RegionNumbers,
	ServerToClientEvents,
	SubscribeAnswer
} from '../../realtime/events';
import { API_TOKEN_PREFIX, validateApiToken } from '../auth/api-tokens';
import { sessionCookieName, validateSessionToken } from '../auth/session';
import type { Database } from '../db/client';
import type { RollupStore } from '../progress/store';

type LiveSocket = Socket<
	ClientToServerEvents,
	ServerToClientEvents,
	Record<string, never>,
	{ principal: Principal & { email: string } }
>;
export type LiveServer = Server<
	ClientToServerEvents,
	ServerToClientEvents,
	Record<string, never>,
	{ principal: Principal & { email: string } }
>;

const MAX_REGIONS_PER_REQUEST = 50;
const room = (code: string) => `region:${code}`;
const ALERTS_PER_MESSAGE = 100;

function readCookie(header: string | undefined, name: string): string | undefined {
	for (const part of (header ?? '').split(';')) {
		const [key, ...value] = part.trim().split('=');
		if (key === name) return decodeURIComponent(value.join('='));
	}
	return undefined;
}

export class LiveService {
	private io: LiveServer | null = null;
	private changed = new Map<string, RegionNumbers>();
	private timer: NodeJS.Timeout | null = null;

	constructor(
		private db: Database,
		private store: RollupStore,
		private windowMs: number
	) {}

	/** Handshake check: who is this, and may they connect at all. */
	async authenticate(socket: LiveSocket): Promise<void> {
		const token = (socket.handshake.auth as { token?: unknown })?.token;
		if (typeof token === 'string' && token.startsWith(`${API_TOKEN_PREFIX}_`)) {
			const principal = await validateApiToken(this.db, token);
			if (!principal) throw new Error('unauthorized: unknown or revoked API token');
			socket.data.principal = principal;
			return;
		}
		const session = readCookie(socket.handshake.headers.cookie, sessionCookieName);
		if (session) {
			const { user } = await validateSessionToken(this.db, session);
			if (user) {
				socket.data.principal = { role: user.role, scope: user.scope, email: user.email };
				return;
			}
		}
		throw new Error('unauthorized: log in, or send a read-only API token as auth.token');
	}

	/** Messages emitted so far, by event (metrics). */
	readonly emitted = { progress: 0, alert: 0 };

	/** Open connections (metrics). */
	get connections(): number {
		return this.io?.of('/').sockets.size ?? 0;
	}

	attach(io: LiveServer): void {
		this.io = io;
		io.on('connection', (socket) => this.connect(socket));
	}

	private connect(socket: LiveSocket): void {
		const principal = socket.data.principal;
		socket.on('subscribe', (request, ack) => {
			const answer: SubscribeAnswer = { snapshots: [], errors: [] };
			const codes = Array.isArray(request?.regions)
				? request.regions.slice(0, MAX_REGIONS_PER_REQUEST)
				: [];
			for (const code of codes.map(String)) {
				const region = this.store.get(code);
				if (!region) answer.errors.push({ code, error: `unknown region ${code}` });
				else if (!canView(principal, code))
					answer.errors.push({ code, error: `region ${code} is outside your scope` });
				else {
					void socket.join(room(code));
					answer.snapshots.push({ region, children: this.store.children(code) });
				}
			}
			if (typeof ack === 'function') ack(answer);
		});
		socket.on('unsubscribe', (request, ack) => {
			for (const code of Array.isArray(request?.regions) ? request.regions : [])
				void socket.leave(room(String(code)));
			if (typeof ack === 'function') ack({ ok: true });
		});
	}

	/** Called with the regions a commit changed; they go out at the end of the window. */
	publish(regions: RegionNumbers[]): void {
		for (const region of regions) this.changed.set(region.code, region);
		if (!this.timer && this.changed.size > 0) {
			this.timer = setTimeout(() => this.flush(), this.windowMs);
			this.timer.unref();
		}
	}

	/** One `progress` message per socket with every changed region it watches. */
	flush(): void {
		this.timer = null;
		const io = this.io;
		const changed = [...this.changed.values()];
		this.changed.clear();
		if (!io || changed.length === 0) return;
		// A change shows in the room of the region itself and in its parent's (as a child row).
		const byRoom = new Map<string, RegionNumbers[]>();
		for (const region of changed) {
			for (const code of [region.code, parentCode(region.code)]) {
				if (code === null) continue;
				const list = byRoom.get(room(code));
				if (list) list.push(region);
				else byRoom.set(room(code), [region]);
			}
		}
		// Sockets that watch the same changed rooms get the same message: it is built and encoded
		// once per group and broadcast (io.to(ids)), not once per socket.
		const groups = new Map<string, { rooms: string[]; ids: string[] }>();
		for (const socket of io.of('/').sockets.values()) {
			const rooms = [...socket.rooms].filter((r) => byRoom.has(r)).sort();
			if (rooms.length === 0) continue;
			const key = rooms.join(' ');
			const group = groups.get(key);
			if (group) group.ids.push(socket.id);
			else groups.set(key, { rooms, ids: [socket.id] });
		}
		const sentAt = Date.now();
		for (const { rooms, ids } of groups.values()) {
			const seen = new Set<string>();
			const payload: RegionNumbers[] = [];
			for (const joined of rooms) {
				for (const region of byRoom.get(joined)!) {
					if (seen.has(region.code)) continue;
					seen.add(region.code);
					payload.push(region);
				}
			}
			io.to(ids).emit('progress', payload, sentAt);
			this.emitted.progress += ids.length;
		}
	}

	/** Alert changes go at once to every socket watching a region that contains their subject. */
	publishAlerts(events: AlertEvent[]): void {
		const io = this.io;
		if (!io || events.length === 0) return;
		for (const socket of io.of('/').sockets.values()) {
			const watched = [...socket.rooms]
				.filter((r) => r.startsWith('region:'))
				.map((r) => r.slice('region:'.length));
			if (watched.length === 0) continue;
			const mine = events.filter((e) => watched.some((code) => isWithin(e.subject, code)));
			if (mine.length === 0) continue;
			this.emitted.alert += 1;
			socket.emit('alert', {
				alerts: mine.slice(0, ALERTS_PER_MESSAGE),
				more: Math.max(0, mine.length - ALERTS_PER_MESSAGE)
			});
		}
	}

	close(): void {
		if (this.timer) clearTimeout(this.timer);
		this.flush();
		this.io?.disconnectSockets(true);
	}
}
