/** What the simulator sent and what the server answered, for the progress line and the summary. */
import { formatNumber } from '../lib/format';

export interface Summary {
	requests: number;
	heartbeatsSent: number;
	accepted: number;
	duplicates: number;
	rejected: number;
	rejectedReasons: Record<string, number>;
	statuses: Record<string, number>;
	networkErrors: number;
	retried: number;
	resent: number;
	reordered: number;
	unsent: number;
	latencyMs: { p50: number; p95: number; p99: number };
}

export class Stats {
	requests = 0;
	heartbeatsSent = 0;
	accepted = 0;
	duplicates = 0;
	rejected = 0;
	networkErrors = 0;
	retried = 0;
	resent = 0;
	reordered = 0;
	unsent = 0;
	rejectedReasons: Record<string, number> = {};
	statuses: Record<string, number> = {};
	private latencies: number[] = [];
	private window: number[] = [];
	private windowStart = Date.now();
	private windowAccepted = 0;
	private windowRequests = 0;
	private lastError = '';

	answered(status: number, ms: number, body: string) {
		this.requests += 1;
		this.windowRequests += 1;
		this.statuses[status] = (this.statuses[status] ?? 0) + 1;
		this.window.push(ms);
		if (this.latencies.length < 200_000) this.latencies.push(ms);
		if (status !== 200) {
			this.lastError = `${status} ${body.slice(0, 120)}`;
			return;
		}
		const answer = JSON.parse(body) as {
			accepted: number;
			duplicates: number;
			rejected: { error: string }[];
		};
		this.accepted += answer.accepted;
		this.windowAccepted += answer.accepted;
		this.duplicates += answer.duplicates;
		this.rejected += answer.rejected.length;
		for (const r of answer.rejected) {
			this.rejectedReasons[r.error] = (this.rejectedReasons[r.error] ?? 0) + 1;
		}
	}

	failed(message: string) {
		this.networkErrors += 1;
		this.lastError = message;
	}

	/** One progress line for the window since the previous call. */
	line(): string {
		const seconds = Math.max(0.001, (Date.now() - this.windowStart) / 1000);
		const p = percentiles(this.window);
		const errors = Object.entries(this.statuses)
			.filter(([status]) => status !== '200')
			.reduce((sum, [, n]) => sum + n, 0);
		const text =
			`${formatNumber(Math.round(this.windowRequests / seconds))} req/s · ` +
			`${formatNumber(Math.round(this.windowAccepted / seconds))} heartbeats/s accepted · ` +
			`p50 ${p.p50} ms p95 ${p.p95} ms p99 ${p.p99} ms · total ${formatNumber(this.accepted)} accepted, ` +
			`${formatNumber(this.duplicates)} duplicates, ${formatNumber(this.rejected)} rejected, ` +
			`${formatNumber(errors + this.networkErrors)} errors${this.lastError ? ` (last: ${this.lastError})` : ''}`;
		this.window = [];
		this.windowStart = Date.now();
		this.windowAccepted = 0;
		this.windowRequests = 0;
		this.lastError = '';
		return text;
	}

	summary(): Summary {
		return {
			requests: this.requests,
			heartbeatsSent: this.heartbeatsSent,
			accepted: this.accepted,
			duplicates: this.duplicates,
			rejected: this.rejected,
			rejectedReasons: this.rejectedReasons,
			statuses: this.statuses,
			networkErrors: this.networkErrors,
			retried: this.retried,
			resent: this.resent,
			reordered: this.reordered,
			unsent: this.unsent,
			latencyMs: percentiles(this.latencies)
		};
	}
}

function percentiles(values: number[]) {
	if (values.length === 0) return { p50: 0, p95: 0, p99: 0 };
	const sorted = Float64Array.from(values).sort();
	const at = (q: number) =>
		Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
	return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}
