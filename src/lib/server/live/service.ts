/**
 * Live push over socket.io. Connections authenticate in the handshake (session cookie, or a
 * read-only API token in `auth.token`), come from an allowed Origin (or send none, as programs
 * do), and may only subscribe to regions in their scope. Every message a socket sends is checked
 * against one schema before any code walks it; a wrong one gets an error answer and changes
 * nothing. Changes from the roll-up store go out at once when the window is quiet and are
 * coalesced when it is busy: at most one `progress` message per socket per LIVE_WINDOW_MS, with
 * the latest numbers of every changed region it watches and the version each one replaces.
 */
import { randomBytes } from 'node:crypto';
import { parse as parseCookies } from 'cookie';
import type { Server, Socket } from 'socket.io';
import { z } from 'zod';
import { isTpsCode, isWithin, parentCode } from '../../domain/codes';
import { canView, type Principal } from '../../domain/roles';
import { describeZodError } from '../../domain/validation';
import {
	MAX_REGIONS_PER_REQUEST,
	MAX_REQUESTS_PER_10S,
	MAX_WATCHED_REGIONS,
	type AlertEvent,
	type ClientToServerEvents,
	type RegionChange,
	type RegionNumbers,
	type ServerToClientEvents,
	type SubscribeAnswer,
	type UnsubscribeAnswer
} from '../../protocol/live';
import { identify, isApiToken } from '../accounts/identify';
import { API_TOKEN_REFUSALS, liveApiTokens } from '../accounts/api-tokens';
import { liveSessions, sessionCookieName } from '../accounts/session';
import type { Database } from '../platform/db/client';
import type { EventBus } from '../platform/events';
import { describe, logger } from '../platform/log';
import type { RollupStore } from '../rollup/store';

interface SocketData {
	principal: Principal & { email: string };
	/** The session the socket opened with (null for an API token): ended, it closes the socket. */
	sessionId: string | null;
	/** The API token it opened with (null for a session): revoked or expired, it closes the socket. */
	apiTokenId: number | null;
	/** Requests in the current 10-second window, for the per-socket limit. */
	requests: { windowStart: number; count: number };
}
type LiveSocket = Socket<
	ClientToServerEvents,
	ServerToClientEvents,
	Record<string, never>,
	SocketData
>;
export type LiveServer = Server<
	ClientToServerEvents,
	ServerToClientEvents,
	Record<string, never>,
	SocketData
>;

const ROOM_PREFIX = 'region:';
const TPS_PREFIX = 'tps:';
const room = (code: string) => (isTpsCode(code) ? `${TPS_PREFIX}${code}` : `${ROOM_PREFIX}${code}`);
const ALERTS_PER_MESSAGE = 100;
const REQUEST_WINDOW_MS = 10_000;

/** The one shape of a subscribe or unsubscribe request; anything else is refused unread. */
export const regionsRequest = z.strictObject({
	regions: z
		.array(z.string().max(16, 'must be a region code such as id, 35 or 3501'), {
			message: 'must be a list of region codes, such as ["35", "3501"]'
		})
		.min(1, 'must name at least one region')
		.max(
			MAX_REGIONS_PER_REQUEST,
			`must name at most ${MAX_REGIONS_PER_REQUEST} regions per request`
		)
});

export interface LiveOptions {
	windowMs: number;
	/** Whether a TPS exists (TPS rooms: the TPS page's live chronology). */
	tpsExists?: (code: string) => boolean;
	/** Origins whose pages may open the socket (ORIGIN and ALLOWED_ORIGINS); empty = same host. */
	origins: readonly string[];
}

export class LiveService {
	/** Changes when the process starts: versions compare only within one epoch. */
	readonly epoch = randomBytes(6).toString('hex');
	private io: LiveServer | null = null;
	private changed = new Map<string, RegionChange>();
	/** Watched TPS with new heartbeats since the last flush. */
	private changedTps = new Set<string>();
	private timer: NodeJS.Timeout | null = null;
	private lastFlush = 0;
	private origins: Set<string>;

	constructor(
		private db: Database,
		private store: RollupStore,
		private options: LiveOptions
	) {
		this.origins = new Set(options.origins.map((o) => new URL(o).origin));
	}

	/**
	 * Handshake check of the page that opens the socket: null when it may, else the reason.
	 * Programs (API-token clients) send no Origin and pass; a browser always sends one.
	 */
	refuseOrigin(origin: string | undefined, host: string | undefined): string | null {
		if (origin === undefined) return null;
		let parsed: string;
		try {
			parsed = new URL(origin).origin;
		} catch {
			return `origin ${JSON.stringify(origin)} is not allowed to open the live socket`;
		}
		const allowed =
			this.origins.size > 0
				? this.origins.has(parsed)
				: host !== undefined && new URL(parsed).host === host;
		return allowed ? null : `origin ${parsed} is not allowed to open the live socket`;
	}

	/** Handshake check: who is this, and may they connect at all. */
	async authenticate(socket: LiveSocket): Promise<void> {
		const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
		socket.data.requests = { windowStart: 0, count: 0 };
		const apiToken = isApiToken(token as string) ? (token as string) : null;
		// The same parser SvelteKit reads the page's cookies with (`cookie`).
		const sessionToken = apiToken
			? null
			: (parseCookies(socket.handshake.headers.cookie ?? '')[sessionCookieName] ?? null);
		const { identity, refused } = await identify(this.db, { apiToken, sessionToken });
		if (identity?.session && identity.session.stage !== 'full')
			throw new Error('unauthorized: finish signing in (the second step) first');
		if (identity) {
			const { role, scope, email, readOnly } = identity.user;
			socket.data.principal = { role, scope, email, readOnly };
			socket.data.sessionId = identity.session?.id ?? null;
			socket.data.apiTokenId = identity.apiTokenId ?? null;
			return;
		}
		throw new Error(
			apiToken
				? `unauthorized: ${API_TOKEN_REFUSALS[refused ?? 'unknown']}`
				: 'unauthorized: log in, or send a read-only API token as auth.token'
		);
	}

	/** Messages emitted so far, by event (metrics). */
	readonly emitted = { progress: 0, alert: 0 };

	/** Open connections (metrics). */
	get connections(): number {
		return this.io?.of('/').sockets.size ?? 0;
	}

	/** What goes out: the regions that moved, new heartbeats of watched TPS, alert changes. */
	listen(bus: EventBus): void {
		bus.on('regions', (regions) => this.publish(regions));
		bus.on('commit', (commit) => this.publishTps(commit.touched.map((t) => t.code)));
		bus.on('alerts', (events) => this.publishAlerts(events));
		bus.on('sessionsEnded', ({ ids }) => this.closeSessions(new Set(ids)));
		// A lost message may have named sessions ended elsewhere: ask the database.
		bus.on('missed', () => void this.recheckSessions());
	}

	/** TPS that stored heartbeats: announced to the sockets watching them, in the same windows. */
	publishTps(codes: readonly string[]): void {
		const rooms = this.io?.of('/').adapter.rooms;
		if (!rooms) return;
		for (const code of codes) if (rooms.has(`${TPS_PREFIX}${code}`)) this.changedTps.add(code);
		this.schedule();
	}

	/** Closes the sockets opened by these sessions (ended by their owner or an admin). */
	closeSessions(ids: ReadonlySet<string>): number {
		let closed = 0;
		for (const socket of this.io?.of('/').sockets.values() ?? []) {
			if (socket.data.sessionId && ids.has(socket.data.sessionId)) {
				socket.disconnect(true);
				closed++;
			}
		}
		return closed;
	}

	/**
	 * Closes every socket whose session no longer exists or has expired, or whose API token was
	 * revoked or ended (runs every minute, and when messages from another process were lost).
	 */
	async recheckSessions(): Promise<number> {
		const sockets = [...(this.io?.of('/').sockets.values() ?? [])];
		const sessions = [...new Set(sockets.map((s) => s.data.sessionId).filter((id) => id !== null))];
		const tokens = [...new Set(sockets.map((s) => s.data.apiTokenId).filter((id) => id !== null))];
		if (sessions.length === 0 && tokens.length === 0) return 0;
		try {
			const [liveIds, liveTokens] = await Promise.all([
				liveSessions(this.db, sessions),
				liveApiTokens(this.db, tokens)
			]);
			const alive = new Set(liveIds);
			const tokenAlive = new Set(liveTokens);
			let closed = 0;
			for (const socket of sockets) {
				const { sessionId, apiTokenId } = socket.data;
				if (
					(sessionId !== null && !alive.has(sessionId)) ||
					(apiTokenId !== null && !tokenAlive.has(apiTokenId))
				) {
					socket.disconnect(true);
					closed++;
				}
			}
			return closed;
		} catch (caught) {
			logger().warn(`[live] could not recheck sessions: ${describe(caught)}`);
			return 0;
		}
	}

	attach(io: LiveServer): void {
		this.io = io;
		io.on('connection', (socket) => this.connect(socket));
	}

	private connect(socket: LiveSocket): void {
		this.answer(
			socket,
			'subscribe',
			(codes) => this.subscribe(socket, codes),
			(error) => ({
				epoch: this.epoch,
				snapshots: [],
				errors: [],
				error
			})
		);
		this.answer(
			socket,
			'unsubscribe',
			(codes): UnsubscribeAnswer => {
				for (const code of codes) void socket.leave(room(code));
				return { ok: true };
			},
			(error): UnsubscribeAnswer => ({ ok: false, error })
		);
	}

	/**
	 * Registers a request handler that never throws: the request is checked (count per socket,
	 * shape, sizes) before `handle` sees it, and any problem is answered through the
	 * acknowledgement callback, or as a `refused` event when the client sent none.
	 */
	private answer<A extends { error?: string }>(
		socket: LiveSocket,
		event: 'subscribe' | 'unsubscribe',
		handle: (codes: string[]) => A,
		refusal: (error: string) => A
	): void {
		(socket as unknown as { on(e: string, f: (...args: unknown[]) => void): void }).on(
			event,
			(...args) => {
				const ack = typeof args.at(-1) === 'function' ? (args.pop() as (a: A) => void) : null;
				let result: A;
				try {
					const limited = this.limited(socket);
					if (limited) result = refusal(limited);
					else if (args.length !== 1)
						result = refusal(`${event} takes one argument, {"regions": [...]}, and a callback`);
					else {
						const parsed = regionsRequest.safeParse(args[0]);
						result = parsed.success
							? handle([...new Set(parsed.data.regions)])
							: refusal(describeZodError(parsed.error, 'request'));
					}
				} catch (error) {
					logger().error(`[live] ${event} failed: ${describe(error)}`);
					result = refusal('internal error; nothing was changed, try again');
				}
				if (ack) ack(result);
				else if (result.error) socket.emit('refused', { event, error: result.error });
			}
		);
	}

	/** The per-socket request limit: the reason when this request is over it. */
	private limited(socket: LiveSocket): string | null {
		const now = Date.now();
		const window = socket.data.requests;
		if (now - window.windowStart >= REQUEST_WINDOW_MS) {
			window.windowStart = now;
			window.count = 0;
		}
		window.count += 1;
		if (window.count <= MAX_REQUESTS_PER_10S) return null;
		const wait = Math.ceil((window.windowStart + REQUEST_WINDOW_MS - now) / 1000);
		return `too many requests on this connection (at most ${MAX_REQUESTS_PER_10S} per 10 s); wait ${wait} s`;
	}

	private subscribe(socket: LiveSocket, codes: string[]): SubscribeAnswer {
		const principal = socket.data.principal;
		const answer: SubscribeAnswer = { epoch: this.epoch, snapshots: [], errors: [] };
		const watching = [...socket.rooms].filter(
			(r) => r.startsWith(ROOM_PREFIX) || r.startsWith(TPS_PREFIX)
		);
		const exists = (code: string) =>
			isTpsCode(code) ? (this.options.tpsExists?.(code) ?? false) : this.store.get(code) !== null;
		const adding = codes.filter(
			(code) => !socket.rooms.has(room(code)) && exists(code) && canView(principal, code)
		);
		if (watching.length + adding.length > MAX_WATCHED_REGIONS) {
			answer.error = `a connection may watch at most ${MAX_WATCHED_REGIONS} regions; it watches ${watching.length}: unsubscribe some first`;
			return answer;
		}
		for (const code of codes) {
			if (isTpsCode(code)) {
				if (!exists(code)) answer.errors.push({ code, error: `unknown TPS ${code}` });
				else if (!canView(principal, code))
					answer.errors.push({ code, error: `TPS ${code} is outside your scope` });
				else {
					void socket.join(room(code));
					(answer.tps ??= []).push(code);
				}
				continue;
			}
			const region = this.store.get(code);
			if (!region) answer.errors.push({ code, error: `unknown region ${code}` });
			else if (!canView(principal, code))
				answer.errors.push({ code, error: `region ${code} is outside your scope` });
			else {
				void socket.join(room(code));
				answer.snapshots.push({ region, children: this.store.children(code) });
			}
		}
		return answer;
	}

	/**
	 * Called with the regions a commit changed. A change in a quiet window goes out at once (on
	 * the next tick, with whatever else changed meanwhile); in a busy one, at the window's end.
	 */
	publish(regions: RegionNumbers[]): void {
		for (const region of regions) {
			const pending = this.changed.get(region.code);
			// Each apply moves a region's version by one: the first change of the window replaces
			// version - 1, and later ones in the same window are coalesced into it.
			const previousVersion = pending ? pending.previousVersion : region.version - 1;
			this.changed.set(region.code, { ...region, previousVersion });
		}
		this.schedule();
	}

	private schedule(): void {
		if (this.timer || (this.changed.size === 0 && this.changedTps.size === 0)) return;
		const wait = Math.max(0, this.lastFlush + this.options.windowMs - Date.now());
		this.timer = setTimeout(() => this.flush(), wait);
		this.timer.unref();
	}

	/** One `progress` message per socket with every changed region it watches. */
	flush(): void {
		this.timer = null;
		this.lastFlush = Date.now();
		const io = this.io;
		const changed = [...this.changed.values()];
		this.changed.clear();
		const tps = [...this.changedTps];
		this.changedTps.clear();
		if (io && tps.length > 0) this.flushTps(io, tps);
		if (!io || changed.length === 0) return;
		// A change shows in the room of the region itself and in its parent's (as a child row).
		const byRoom = new Map<string, RegionChange[]>();
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
			const payload: RegionChange[] = [];
			for (const joined of rooms) {
				for (const region of byRoom.get(joined)!) {
					if (seen.has(region.code)) continue;
					seen.add(region.code);
					payload.push(region);
				}
			}
			io.to(ids).emit('progress', payload, sentAt, this.epoch);
			this.emitted.progress += ids.length;
		}
	}

	/** Each socket watching some of these TPS hears which of them stored heartbeats. */
	private flushTps(io: LiveServer, codes: string[]): void {
		const sentAt = Date.now();
		const bySocket = new Map<string, string[]>();
		const rooms = io.of('/').adapter.rooms;
		for (const code of codes)
			for (const id of rooms.get(`${TPS_PREFIX}${code}`) ?? []) {
				const list = bySocket.get(id);
				if (list) list.push(code);
				else bySocket.set(id, [code]);
			}
		for (const [id, list] of bySocket) io.to(id).emit('heartbeats', list, sentAt, this.epoch);
	}

	/** Alert changes go at once to every socket watching a region that contains their subject. */
	publishAlerts(events: AlertEvent[]): void {
		const io = this.io;
		if (!io || events.length === 0) return;
		for (const socket of io.of('/').sockets.values()) {
			const watched = [...socket.rooms]
				.filter((r) => r.startsWith(ROOM_PREFIX))
				.map((r) => r.slice(ROOM_PREFIX.length));
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
