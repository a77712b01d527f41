/**
 * The simulator's engine: a fleet of phones (model.ts) talking to a server only through the
 * public API. Two modes:
 * - paced (default): each phone syncs when its model says, on the server's clock (in the demo a
 *   compressed one), at most `maxRate` requests a second; phones that wait longer send a backlog;
 * - load (`rate`): a fixed number of heartbeats a second in batches of `batch`, phones in turn.
 * Failed requests (429, 503, network) are retried with the same body, as the app does, so an
 * accepted heartbeat is never invented twice; every few seconds a progress line is printed.
 */
import http from 'node:http';
import https from 'node:https';
import { randomUUID } from 'node:crypto';
import {
	DEFAULT_BEHAVIOUR,
	backlog,
	nextSync,
	phoneFor,
	quirksAt,
	snapshot,
	verifiedAt,
	type Behaviour,
	type CampaignDays,
	type Phone,
	type SimHeartbeat
} from './model';
import { MinHeap } from './heap';
import { Stats } from './stats';

export interface DeviceToken {
	tps: string;
	token: string;
	target: number;
}

export interface RunOptions {
	url: string;
	tokens: readonly DeviceToken[];
	behaviour?: Behaviour;
	/** Paced mode: at most this many requests a second. */
	maxRate?: number;
	/** Load mode: heartbeats a second, `batch` per request. */
	rate?: number;
	batch?: number;
	/** Requests in flight at once. */
	concurrency?: number;
	/** Stop by itself after this long (real ms); otherwise at stop(). */
	durationMs?: number;
	reportEveryMs?: number;
	/** Regency centres for phones that send a location. */
	centres?: Map<string, { lat: number; lng: number }>;
	log?: (line: string) => void;
	/** Ids the server acknowledged (answered 200 and did not reject), for loss accounting. */
	onAcknowledged?: (ids: string[]) => void;
}

interface ServerClock {
	now: number;
	speed: number;
	campaign: CampaignDays | null;
	fetchedAt: number;
}

const RETRY_DEFAULT_MS = 1_000;
const CLOCK_REFRESH_MS = 10_000;
const TICK_MS = 20;

export class Simulator {
	readonly stats = new Stats();
	private phones: Phone[] = [];
	private tokens: readonly DeviceToken[];
	private behaviour: Behaviour;
	private queue: MinHeap;
	private lastSent: Float64Array;
	private held = new Map<number, { body: string; items: number }>();
	private clock!: ServerClock;
	private inflight = 0;
	private stopped = false;
	private timers = new Set<NodeJS.Timeout>();
	private agent: http.Agent;
	private base: URL;
	private cursor = 0;
	private budget = 0;
	private lastTick = 0;
	private done!: () => void;
	/** Resolves when the run has stopped and its requests have finished. */
	readonly finished = new Promise<void>((resolve) => (this.done = resolve));

	constructor(private options: RunOptions) {
		this.tokens = options.tokens;
		this.behaviour = options.behaviour ?? DEFAULT_BEHAVIOUR;
		this.queue = new MinHeap(options.tokens.length);
		this.lastSent = new Float64Array(options.tokens.length);
		this.base = new URL(options.url);
		const Agent = this.base.protocol === 'https:' ? https.Agent : http.Agent;
		this.agent = new Agent({ keepAlive: true, maxSockets: options.concurrency ?? 32 });
	}

	private log(line: string) {
		(this.options.log ?? console.log)(line);
	}

	/** The server's clock speed (1 unless it is a demo with CLOCK_SPEED). */
	get speed(): number {
		return this.clock.speed;
	}

	/** The server's time now (simulated in the demo). */
	now(): number {
		return this.clock.now + (Date.now() - this.clock.fetchedAt) * this.clock.speed;
	}

	async start(): Promise<void> {
		await this.fetchClock();
		const campaign = this.clock.campaign;
		if (!campaign) throw new Error('the server has no campaign yet');
		const now = this.now();
		this.tokens.forEach((t, i) => {
			this.phones.push(
				phoneFor(
					t.tps,
					t.target,
					campaign,
					this.behaviour,
					this.options.centres?.get(t.tps.slice(0, 4))
				)
			);
			// Resuming: what the phone recorded before now was sent by an earlier run.
			this.lastSent[i] = now;
			const due = nextSync(this.phones[i], now, this.behaviour.dayOffShare);
			if (due !== null) this.queue.push(due, i);
		});
		this.lastTick = Date.now();
		this.every(CLOCK_REFRESH_MS, () => void this.fetchClock().catch(() => {}));
		this.every(this.options.reportEveryMs ?? 5_000, () => this.log(this.progressLine()));
		this.every(TICK_MS, () => (this.options.rate ? this.loadTick() : this.pacedTick()));
		if (this.options.durationMs) this.after(this.options.durationMs, () => void this.stop());
	}

	/** Runs until stop() (or the duration) and all requests in flight have finished. */
	async run(): Promise<void> {
		await this.start();
		await this.finished;
	}

	async stop(): Promise<void> {
		if (this.stopped) return this.finished;
		this.stopped = true;
		for (const timer of this.timers) clearTimeout(timer);
		this.timers.clear();
		const deadline = Date.now() + 10_000;
		while (this.inflight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
		this.agent.destroy();
		this.log(this.progressLine());
		this.done();
		return this.finished;
	}

	/** How far (simulated ms) the most overdue phone waits behind its model: 0 when on time. */
	behindMs(): number {
		return this.queue.size > 0 ? Math.max(0, this.now() - this.queue.peekKey()) : 0;
	}

	progressLine(): string {
		const t = new Date(this.now());
		// Shown on KPU RI's clock (WIB, UTC+7).
		const wib = t.getTime() + 7 * 3_600_000;
		const day = this.clock.campaign
			? Math.floor((wib - Date.parse(this.clock.campaign.firstDay)) / 86_400_000) + 1
			: 0;
		const time = new Date(wib).toISOString().slice(11, 16);
		const waiting = this.behindMs();
		return `[sim] day ${day} ${time} WIB · ${this.stats.line()}${
			waiting > 60_000 ? ` · behind by ${Math.round(waiting / 60_000)} simulated min` : ''
		}`;
	}

	private every(ms: number, fn: () => void) {
		const timer = setInterval(fn, ms);
		this.timers.add(timer);
	}

	private after(ms: number, fn: () => void) {
		const timer = setTimeout(() => {
			this.timers.delete(timer);
			fn();
		}, ms);
		this.timers.add(timer);
	}

	private async fetchClock(): Promise<void> {
		const response = await fetch(new URL('/api/v1/clock', this.base));
		if (!response.ok) throw new Error(`GET /api/v1/clock answered ${response.status}`);
		const body = (await response.json()) as {
			now: string;
			speed: number;
			campaign: CampaignDays | null;
		};
		this.clock = {
			now: Date.parse(body.now),
			speed: body.speed,
			campaign: body.campaign,
			fetchedAt: Date.now()
		};
	}

	private refill(maxPerSecond: number) {
		const now = Date.now();
		this.budget = Math.min(
			this.budget + ((now - this.lastTick) / 1000) * maxPerSecond,
			maxPerSecond / 4 + 1
		);
		this.lastTick = now;
	}

	private pacedTick() {
		this.refill(this.options.maxRate ?? 500);
		const now = this.now();
		const limit = this.options.concurrency ?? 32;
		while (
			this.queue.size > 0 &&
			this.queue.peekKey() <= now &&
			this.budget >= 1 &&
			this.inflight < limit
		) {
			const i = this.queue.pop();
			const phone = this.phones[i];
			const items = backlog(phone, this.lastSent[i], now, this.behaviour);
			this.lastSent[i] = now;
			const next = nextSync(phone, now, this.behaviour.dayOffShare);
			if (next !== null) this.queue.push(next, i);
			if (items.length === 0) continue;
			this.budget -= 1;
			const body = JSON.stringify({ heartbeats: items });
			const quirks = quirksAt(
				phone,
				Date.parse(items[items.length - 1].recordedAt) - phone.skewMs,
				this.behaviour
			);
			const earlier = this.held.get(i);
			this.held.delete(i);
			if (quirks.reorder && !earlier && next !== null) {
				// Held back: it arrives after the phone's next batch.
				this.held.set(i, { body, items: items.length });
				this.stats.reordered += 1;
				continue;
			}
			this.send(i, body, items.length);
			if (earlier) this.send(i, earlier.body, earlier.items);
			if (quirks.duplicate)
				// Counted when it goes out: a stop within the 500 ms cancels it (the simulator e2e
				// test saw 202 re-sends counted and 200 duplicates answered).
				this.after(500, () => {
					if (this.stopped) return;
					this.stats.resent += 1;
					this.send(i, body, 0);
				});
		}
	}

	private loadTick() {
		const batch = this.options.batch ?? 1;
		this.refill(this.options.rate! / batch);
		const limit = this.options.concurrency ?? 32;
		const now = this.now();
		while (this.budget >= 1 && this.inflight < limit) {
			this.budget -= 1;
			let i = this.cursor;
			for (let tries = 0; tries < this.phones.length && this.phones[i].never; tries++)
				i = (i + 1) % this.phones.length;
			this.cursor = (i + 1) % this.phones.length;
			const phone = this.phones[i];
			const verified = verifiedAt(phone, now, this.behaviour.dayOffShare);
			const items: SimHeartbeat[] = [];
			for (let k = batch - 1; k >= 0; k--) {
				const item = snapshot(phone, now - k * 1_000, this.behaviour);
				items.push({ ...item, id: randomUUID(), verified, pending: 0 });
			}
			this.send(i, JSON.stringify({ heartbeats: items }), items.length);
		}
	}

	/** Sends one body for phone i; `fresh` items are counted as sent (0 for a re-send). */
	private send(i: number, body: string, fresh: number) {
		if (this.stopped) return;
		this.inflight += 1;
		this.stats.heartbeatsSent += fresh;
		const started = performance.now();
		const request = (this.base.protocol === 'https:' ? https : http).request(
			{
				hostname: this.base.hostname,
				port: this.base.port,
				path: '/api/v1/heartbeats',
				method: 'POST',
				agent: this.agent,
				headers: {
					authorization: `Bearer ${this.tokens[i].token}`,
					'content-type': 'application/json',
					'content-length': Buffer.byteLength(body)
				}
			},
			(response) => {
				let text = '';
				response.setEncoding('utf8');
				response.on('data', (chunk) => (text += chunk));
				response.on('end', () => {
					this.inflight -= 1;
					this.stats.answered(response.statusCode ?? 0, performance.now() - started, text);
					const status = response.statusCode ?? 0;
					if (status === 200 && this.options.onAcknowledged) {
						const refused = new Set(
							(JSON.parse(text) as { rejected: { id: string }[] }).rejected.map((r) => r.id)
						);
						this.options.onAcknowledged(
							(JSON.parse(body) as { heartbeats: { id: string }[] }).heartbeats
								.map((h) => h.id)
								.filter((id) => !refused.has(id))
						);
					}
					if (status === 429 || status === 503) {
						const wait = Number(response.headers['retry-after']) * 1_000 || RETRY_DEFAULT_MS;
						this.retry(i, body, wait);
					}
				});
			}
		);
		request.on('error', (error) => {
			this.inflight -= 1;
			this.stats.failed(error.message);
			this.retry(i, body, RETRY_DEFAULT_MS);
		});
		request.end(body);
	}

	private retry(i: number, body: string, waitMs: number) {
		if (this.stopped) {
			this.stats.unsent += 1;
			return;
		}
		this.stats.retried += 1;
		this.after(waitMs, () => this.send(i, body, 0));
	}
}
