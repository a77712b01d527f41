/**
 * The field simulator against the built server, through the public API only: a demo server with
 * a compressed clock (an hour a second) and Gorontalo's 3,539 TPS. After a simulated day the
 * server rejected nothing, counted the simulator's deliberate re-sends as duplicates, and its live
 * roll-ups (read over HTTP) equal a full recount of the stored TPS rows.
 */
import { rmSync } from 'node:fs';
import { tempDir } from '../fixtures/temp';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { bulkTokens } from '../fixtures/cli';
import { freshTotals } from '../fixtures/recount';
import { loginCookie, startServer } from '../fixtures/server';
import { openConfiguredDatabase } from '../../src/lib/server/platform/db/configured';
import { simulatedTarget } from '../../src/lib/domain/simulated';
import { Simulator } from '../../src/simulator/run';

const PORT = 4191;
const base = `http://127.0.0.1:${PORT}`;

test('a simulated day ends with no rejected heartbeat and roll-ups equal to a recount', async () => {
	test.setTimeout(180_000);
	const work = tempDir('pantau-sim-');
	const env = { DATA_DIR: path.join(work, 'data'), DATABASE_URL: '' };
	const server = await startServer(PORT, {
		...env,
		SEED_PROVINCES: '75',
		DEMO: '1',
		CLOCK_SPEED: '3600'
	});
	try {
		const tokens = bulkTokens('75', env).map(([tps, token]) => ({
			tps,
			token,
			target: simulatedTarget(tps)
		}));
		expect(tokens.length).toBe(3_539);
		const lines: string[] = [];
		const simulator = new Simulator({
			url: base,
			tokens,
			maxRate: 2_000,
			durationMs: 20_000,
			reportEveryMs: 5_000,
			log: (line) => lines.push(line)
		});
		await simulator.run();
		const summary = simulator.stats.summary();
		console.log(`[simulator] ${lines.at(-1)}\n${JSON.stringify(summary)}`);
		expect(lines.length).toBeGreaterThanOrEqual(3);
		expect(Object.keys(summary.statuses)).toEqual(['200']);
		expect(summary.networkErrors).toBe(0);
		expect(summary.rejected).toBe(0);
		expect(summary.accepted).toBeGreaterThan(2_000);
		// Every re-sent or held-back batch is counted once; re-sends come back as duplicates.
		expect(summary.resent).toBeGreaterThan(0);
		expect(summary.reordered).toBeGreaterThan(0);
		expect(summary.duplicates).toBeGreaterThanOrEqual(summary.resent);
		expect(summary.accepted).toBe(summary.heartbeatsSent);

		const cookie = await loginCookie(base, 'admin@demo.pantau.id', 'coklit-demo-2029');
		const read = async (code: string) => {
			const response = await fetch(`${base}/api/v1/regions/${code}`, { headers: { cookie } });
			expect(response.status).toBe(200);
			return (await response.json()) as {
				code: string;
				verified: number;
				tpsSynced: number;
				children: { code: string; verified: number; tpsSynced: number }[];
			};
		};
		const live = [];
		for (const code of ['id', '75', '7501']) {
			const region = await read(code);
			live.push(region, ...region.children);
		}
		server.kill('SIGTERM');
		await new Promise((resolve) => server.once('exit', resolve));

		const database = await openConfiguredDatabase(env, () => {});
		const fresh = await freshTotals(database.handle.db);
		await database.close();
		const nation = fresh.get('id')!;
		expect(nation.verified).toBeGreaterThan(0);
		expect(nation.tpsSynced).toBeGreaterThan(1_000);
		const mismatches = live
			.map((r) => ({ code: r.code, live: [r.verified, r.tpsSynced], fresh: fresh.get(r.code) }))
			.filter((r) => r.live[0] !== r.fresh?.verified || r.live[1] !== r.fresh?.tpsSynced);
		expect(live.length).toBeGreaterThan(10);
		expect(mismatches).toEqual([]);
	} finally {
		if (server.exitCode === null) server.kill('SIGKILL');
		rmSync(work, { recursive: true, force: true });
	}
});
