/**
 * Group commit: requests that arrive while a transaction is running wait together and go into
 * the next one, which starts as soon as the previous one ends. Each request's promise settles
 * only after its transaction committed (or failed). The queue is bounded: beyond it the caller
 * is told to come back later instead of the server queueing without limit.
 */
import type { BatchResult, PendingRequest, RequestResult } from './commit';

export class OverloadedError extends Error {
	override name = 'OverloadedError';
	constructor(readonly retryAfterSeconds: number) {
		super('the server is busy committing earlier syncs; retry shortly');
	}
}

export class CommitFailedError extends Error {
	override name = 'CommitFailedError';
}

interface Entry {
	request: PendingRequest;
	resolve: (result: RequestResult) => void;
	reject: (error: Error) => void;
}

export interface CommitterOptions {
	/** Most heartbeats in one transaction. */
	maxBatchItems: number;
	/** Most heartbeats waiting; beyond, OverloadedError. */
	maxQueuedItems: number;
	onCommitted?: (result: BatchResult) => void;
	onError?: (error: unknown) => void;
}

export class GroupCommitter {
	private queue: Entry[] = [];
	private queuedItems = 0;
	private running: Promise<void> | null = null;
	private closed = false;

	constructor(
		private commit: (requests: PendingRequest[]) => Promise<BatchResult>,
		private options: CommitterOptions
	) {}

	get depth(): number {
		return this.queuedItems;
	}

	submit(request: PendingRequest): Promise<RequestResult> {
		if (this.closed) return Promise.reject(new CommitFailedError('the server is shutting down'));
		if (this.queuedItems + request.items.length > this.options.maxQueuedItems) {
			return Promise.reject(new OverloadedError(1));
		}
		return new Promise((resolve, reject) => {
			this.queue.push({ request, resolve, reject });
			this.queuedItems += request.items.length;
			// setImmediate lets the requests parsed in this turn of the event loop join the batch.
			this.running ??= new Promise((done) => setImmediate(done)).then(() => this.drainQueue());
		});
	}

	private async drainQueue(): Promise<void> {
		try {
			while (this.queue.length > 0) {
				const batch = this.take();
				try {
					const result = await this.commit(batch.map((e) => e.request));
					batch.forEach((entry, i) => entry.resolve(result.results[i]));
					this.options.onCommitted?.(result);
				} catch (error) {
					this.options.onError?.(error);
					const failure = new CommitFailedError((error as Error)?.message ?? String(error));
					for (const entry of batch) entry.reject(failure);
				}
			}
		} finally {
			this.running = null;
		}
	}

	private take(): Entry[] {
		const batch: Entry[] = [];
		let items = 0;
		while (this.queue.length > 0) {
			const next = this.queue[0];
			if (batch.length > 0 && items + next.request.items.length > this.options.maxBatchItems) break;
			batch.push(this.queue.shift()!);
			items += next.request.items.length;
		}
		this.queuedItems -= items;
		return batch;
	}

	/** Stops taking requests and waits for every queued one to be committed. */
	async close(): Promise<void> {
		this.closed = true;
		while (this.running) await this.running;
	}
}
