/**
 * Group commit: requests that arrive while transactions are running wait together and go into
 * the next one, which starts as soon as a running one ends (up to `concurrency` at once, each on
 * its own connection: a commit spends most of its time waiting for the database). Each request's promise settles
 * only after its transaction committed (or failed). The queue is bounded: beyond it the caller
 * is told to come back later instead of the server queueing without limit.
 */
import type { BatchResult, RequestResult } from '../platform/events';
import { isRetryable, type PendingRequest } from './commit';

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
	/** Transactions in flight at once. */
	concurrency: number;
	onCommitted?: (result: BatchResult) => void;
	onError?: (error: unknown) => void;
}

export class GroupCommitter {
	private queue: Entry[] = [];
	private queuedItems = 0;
	private inFlight = 0;
	private scheduled = false;
	private idle: (() => void)[] = [];
	private closed = false;

	/** Items accepted and not yet committed. */
	get depth(): number {
		return this.queuedItems;
	}

	constructor(
		private commit: (requests: PendingRequest[]) => Promise<BatchResult>,
		private options: CommitterOptions
	) {}

	submit(request: PendingRequest): Promise<RequestResult> {
		if (this.closed) return Promise.reject(new CommitFailedError('the server is shutting down'));
		if (this.queuedItems + request.items.length > this.options.maxQueuedItems) {
			return Promise.reject(new OverloadedError(1));
		}
		return new Promise((resolve, reject) => {
			this.queue.push({ request, resolve, reject });
			this.queuedItems += request.items.length;
			this.schedule();
		});
	}

	private schedule(): void {
		if (this.scheduled || this.inFlight >= this.options.concurrency || this.queue.length === 0)
			return;
		this.scheduled = true;
		// setImmediate lets the requests parsed in this turn of the event loop join the batch.
		setImmediate(() => {
			this.scheduled = false;
			while (this.inFlight < this.options.concurrency && this.queue.length > 0) {
				void this.run(this.take());
			}
		});
	}

	private async run(batch: Entry[]): Promise<void> {
		this.inFlight += 1;
		try {
			const result = await this.commitWithRetry(batch.map((e) => e.request));
			this.options.onCommitted?.(result);
			batch.forEach((entry, i) => entry.resolve(result.results[i]));
		} catch (error) {
			this.options.onError?.(error);
			const failure = new CommitFailedError((error as Error)?.message ?? String(error));
			for (const entry of batch) entry.reject(failure);
		} finally {
			this.inFlight -= 1;
			if (this.queue.length > 0) this.schedule();
			else if (this.inFlight === 0) for (const wake of this.idle.splice(0)) wake();
		}
	}

	/** A deadlock with another process rolls the whole transaction back: run it again. */
	private async commitWithRetry(requests: PendingRequest[]): Promise<BatchResult> {
		for (let attempt = 1; ; attempt++) {
			try {
				return await this.commit(requests);
			} catch (error) {
				if (attempt >= 3 || !isRetryable(error)) throw error;
			}
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
		if (this.inFlight > 0 || this.queue.length > 0) {
			await new Promise<void>((resolve) => this.idle.push(resolve));
		}
	}
}
