/**
 * `POST /api/v1/heartbeats`, independent of the HTTP server: the production entry calls it
 * straight from node:http (SvelteKit's request pipeline would cap the rate far below what the
 * database can take), and a SvelteKit route calls it in development. Same checks, same answers.
 */
import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import {
	checkItem,
	isRejection,
	parseBody,
	RequestShapeError,
	type HeartbeatItem,
	type Rejection
} from '../../domain/heartbeat';
import type { Database } from '../platform/db/client';
import type { BatchResult } from '../platform/events';
import { commitBatch } from './commit';
import { CommitFailedError, GroupCommitter, OverloadedError } from './committer';
import { DeviceTokenCache, recordTokenUse } from './device-tokens';
import { TokenUseLog } from './token-use';

/** How often the last-used time of device tokens is written (kept out of the commit path). */
const TOKEN_USE_FLUSH_MS = 5_000;

export const MAX_BODY_BYTES = 1024 * 1024;
const RETRY_AFTER_DB_SECONDS = 5;

export interface IngestRequest {
	method: string;
	authorization: string | undefined;
	contentType: string | undefined;
	/** Raw body; the caller stops reading past MAX_BODY_BYTES and passes `tooLarge`. */
	body: Uint8Array;
	tooLarge?: boolean;
}

export interface IngestResponse {
	status: number;
	headers: Record<string, string>;
	body: Record<string, unknown>;
}

export interface IngestOptions {
	tokenCacheMs: number;
	/** Requests per minute per device token. */
	ratePerMinute: number;
	maxBatchItems?: number;
	maxQueuedItems?: number;
	/** Group-commit transactions in flight at once. */
	concurrency?: number;
	/** Where group commits run (a pool of `concurrency` connections); default: the service's db. */
	commitDb?: Database;
	onCommitted?: (result: BatchResult) => void;
	onError?: (error: unknown) => void;
	now?: () => number;
	/** Every answer, for metrics. */
	onAnswer?: (response: IngestResponse) => void;
	/** Seconds each group commit took, for metrics. */
	onCommitSeconds?: (seconds: number) => void;
}

const error = (
	status: number,
	message: string,
	headers: Record<string, string> = {}
): IngestResponse => ({
	status,
	headers,
	body: { error: message }
});

const utf8 = new TextDecoder('utf-8', { fatal: true });

export class IngestService {
	readonly tokens: DeviceTokenCache;
	readonly committer: GroupCommitter;
	private limiter: RateLimiterMemory;
	private now: () => number;
	private onAnswer?: (response: IngestResponse) => void;
	/** Device-token uses waiting to be written, to the minute. */
	private tokenUse = new TokenUseLog();
	private flushTimer: NodeJS.Timeout;

	constructor(
		private db: Database,
		options: IngestOptions
	) {
		this.tokens = new DeviceTokenCache(db, options.tokenCacheMs);
		const commitDb = options.commitDb ?? db;
		this.now = options.now ?? Date.now;
		this.onAnswer = options.onAnswer;
		this.committer = new GroupCommitter(
			async (requests) => {
				const started = performance.now();
				try {
					return await commitBatch(commitDb, requests, new Date(this.now()));
				} finally {
					options.onCommitSeconds?.((performance.now() - started) / 1000);
				}
			},
			{
				maxBatchItems: options.maxBatchItems ?? 5_000,
				maxQueuedItems: options.maxQueuedItems ?? 100_000,
				concurrency: options.concurrency ?? 1,
				onCommitted: options.onCommitted,
				onError: options.onError
			}
		);
		this.limiter = new RateLimiterMemory({ points: options.ratePerMinute, duration: 60 });
		this.flushTimer = setInterval(() => void this.flushTokenUse(), TOKEN_USE_FLUSH_MS);
		this.flushTimer.unref();
	}

	/** Writes the last-used times collected since the previous flush; a failure keeps them. */
	async flushTokenUse(): Promise<void> {
		const pending = this.tokenUse.take(Date.now());
		try {
			await recordTokenUse(this.db, pending);
		} catch {
			this.tokenUse.restore(pending);
		}
	}

	async handle(request: IngestRequest): Promise<IngestResponse> {
		const response = await this.answer(request);
		this.onAnswer?.(response);
		return response;
	}

	private async answer(request: IngestRequest): Promise<IngestResponse> {
		if (request.method !== 'POST') {
			return error(405, 'use POST to send heartbeats', { allow: 'POST' });
		}
		const token = /^Bearer\s+(\S+)$/i.exec(request.authorization ?? '')?.[1];
		if (!token) return error(401, 'missing device token: send Authorization: Bearer <token>');
		let device;
		try {
			device = await this.tokens.lookup(token);
		} catch {
			return error(503, 'the database is unavailable; retry later', {
				'retry-after': String(RETRY_AFTER_DB_SECONDS)
			});
		}
		if (!device) return error(401, 'unknown or revoked device token');
		if (request.tooLarge) {
			return error(
				413,
				`the body is larger than ${MAX_BODY_BYTES} bytes; send at most 500 heartbeats`
			);
		}
		if (!/^application\/json\s*(;|$)/i.test(request.contentType ?? '')) {
			return error(415, 'the body must be JSON (Content-Type: application/json)');
		}
		try {
			await this.limiter.consume(device.tokenId);
		} catch (limited) {
			const wait = Math.ceil(((limited as RateLimiterRes).msBeforeNext ?? 1_000) / 1_000);
			return error(429, 'too many requests for this device token; retry later', {
				'retry-after': String(Math.max(1, wait))
			});
		}

		let inputs;
		try {
			inputs = parseBody(utf8.decode(request.body));
		} catch (caught) {
			if (caught instanceof RequestShapeError) return error(400, caught.message);
			return error(400, 'the body is not valid UTF-8');
		}

		const now = this.now();
		const rejected: Rejection[] = [];
		const items: HeartbeatItem[] = [];
		for (const input of inputs) {
			const checked = checkItem(input, now);
			if (isRejection(checked)) rejected.push(checked);
			else if (checked.tps !== device.tpsCode) {
				rejected.push({
					id: checked.id,
					error: `TPS ${checked.tps} is not assigned to this device (it belongs to TPS ${device.tpsCode})`
				});
			} else items.push(checked);
		}
		if (items.length === 0)
			return {
				status: 200,
				headers: {},
				body: { accepted: 0, duplicates: 0, rejected, logIndexes: {} }
			};

		try {
			const { accepted, duplicates, conflicts, logIndexes } = await this.committer.submit({
				device,
				items
			});
			this.tokenUse.note(device.tokenId, Date.now());
			for (const id of conflicts)
				rejected.push({
					id,
					error:
						'this id already names a heartbeat with other content; a new snapshot needs a new id',
					reason: 'idConflict'
				});
			return { status: 200, headers: {}, body: { accepted, duplicates, rejected, logIndexes } };
		} catch (caught) {
			if (caught instanceof OverloadedError) {
				return error(503, caught.message, { 'retry-after': String(caught.retryAfterSeconds) });
			}
			if (caught instanceof CommitFailedError) {
				return error(
					503,
					'the database is unavailable; nothing from this request was stored, retry later',
					{
						'retry-after': String(RETRY_AFTER_DB_SECONDS)
					}
				);
			}
			throw caught;
		}
	}

	async close(): Promise<void> {
		clearInterval(this.flushTimer);
		await this.committer.close();
		await this.flushTokenUse();
	}
}
