import { describe, expect, it } from 'vitest';
import { createMetrics, reasonOf } from './metrics';

describe('metrics', () => {
	it('folds codes and numbers out of rejection reasons', () => {
		expect(
			reasonOf('TPS 3501010001001 is not assigned to this device (it belongs to TPS 3501010001002)')
		).toBe(
			reasonOf('TPS 7501010009999 is not assigned to this device (it belongs to TPS 7501010009998)')
		);
	});
	it('renders the Prometheus text format with our series and the process ones', async () => {
		const m = createMetrics();
		m.heartbeats.inc({ result: 'accepted', reason: '' }, 3);
		m.commitSeconds.observe(0.004);
		const text = await m.registry.metrics();
		expect(text).toMatch(/pantau_heartbeats_total\{result="accepted",reason=""\} 3/);
		expect(text).toMatch(/pantau_ingest_commit_seconds_bucket\{le="0.005"\} 1/);
		expect(text).toMatch(/pantau_process_resident_memory_bytes/);
		expect(text).toMatch(/pantau_nodejs_eventloop_lag_seconds/);
	});
});
