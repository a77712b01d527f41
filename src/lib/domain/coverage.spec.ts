import { describe, expect, it } from 'vitest';
import {
	applySnapshots,
	contribution,
	coverage,
	rollUp,
	supersedes,
	type Snapshot,
	type TpsProgress
} from './coverage';

const T0 = Date.parse('2026-02-12T08:00:00+07:00');
const minutes = (n: number) => T0 + n * 60_000;

/** A TPS that has never synced. */
const fresh = (code = '3523012001001', target = 250): TpsProgress => ({
	code,
	target,
	verified: 0,
	tms: 0,
	newVoters: 0,
	pending: 0,
	recordedAt: null,
	heartbeatId: null
});

let nextId = 0;
const snap = (at: number, verified: number, extra: Partial<Snapshot> = {}): Snapshot => ({
	id: `hb-${++nextId}`,
	verified,
	tms: 0,
	newVoters: 0,
	pending: 0,
	recordedAt: at,
	...extra
});

describe('which snapshot wins', () => {
	it('the first snapshot of a TPS always wins', () => {
		expect(supersedes(snap(minutes(0), 0), fresh())).toBe(true);
	});

	it('a later snapshot wins even with fewer voters', () => {
		const current = { recordedAt: minutes(10), verified: 50 };
		expect(supersedes(snap(minutes(11), 40), current)).toBe(true);
	});

	it('a late older snapshot does not move progress back', () => {
		const current = { recordedAt: minutes(10), verified: 50 };
		expect(supersedes(snap(minutes(9), 80), current)).toBe(false);
	});

	it('at the same recorded time the larger count wins, and a replay changes nothing', () => {
		const current = { recordedAt: minutes(10), verified: 50 };
		expect(supersedes(snap(minutes(10), 51), current)).toBe(true);
		expect(supersedes(snap(minutes(10), 50), current)).toBe(false);
	});
});

describe('applying a batch of snapshots to a TPS', () => {
	it('takes the latest recorded snapshot whatever the arrival order', () => {
		const a = snap(minutes(1), 10);
		const b = snap(minutes(3), 30, { pending: 4, tms: 2, newVoters: 1 });
		const c = snap(minutes(2), 20);
		const { after } = applySnapshots(fresh(), [b, a, c]);
		expect(after).toMatchObject({
			verified: 30,
			pending: 4,
			tms: 2,
			newVoters: 1,
			heartbeatId: b.id
		});
		expect(after.recordedAt).toBe(minutes(3));
	});

	it('flags a later snapshot that lowers verified, and still follows it', () => {
		const before = { ...fresh(), verified: 100, recordedAt: minutes(5), heartbeatId: 'x' };
		const lower = snap(minutes(6), 90);
		const outcome = applySnapshots(before, [lower]);
		expect(outcome.after.verified).toBe(90);
		expect(outcome.anomalies.get(lower.id)).toEqual(['decrease']);
	});

	it('does not flag a late older snapshot with a lower count as a decrease', () => {
		const before = { ...fresh(), verified: 100, recordedAt: minutes(5), heartbeatId: 'x' };
		const late = snap(minutes(4), 90);
		const outcome = applySnapshots(before, [late]);
		expect(outcome.after).toEqual(before);
		expect(outcome.anomalies.size).toBe(0);
	});

	it('flags a count above the TPS target', () => {
		const over = snap(minutes(1), 260);
		const outcome = applySnapshots(fresh('3523012001001', 250), [over]);
		expect(outcome.anomalies.get(over.id)).toEqual(['above_target']);
		expect(contribution(outcome.after).tpsComplete).toBe(1);
	});
});

describe('roll-up deltas', () => {
	it('a first sync in a village moves its district, regency, province and nation', () => {
		const before = fresh('3523012001001');
		const { after } = applySnapshots(before, [snap(minutes(1), 40)]);
		const deltas = rollUp([{ before, after }]);
		expect([...deltas.keys()]).toEqual(['3523012001', '352301', '3523', '35', 'id']);
		expect(deltas.get('id')).toEqual({ verified: 40, target: 0, tpsSynced: 1, tpsComplete: 0 });
	});

	it('sums TPS changes per region and drops regions whose totals do not move', () => {
		const a = { ...fresh('3523012001001'), verified: 10, recordedAt: minutes(0) };
		const b = { ...fresh('3578012001001'), verified: 50, recordedAt: minutes(0) };
		const deltas = rollUp([
			{ before: a, after: { ...a, verified: 30, recordedAt: minutes(5) } },
			{ before: b, after: { ...b, verified: 30, recordedAt: minutes(5) } }
		]);
		expect(deltas.get('3523')).toEqual({ verified: 20, target: 0, tpsSynced: 0, tpsComplete: 0 });
		expect(deltas.get('3578')).toEqual({ verified: -20, target: 0, tpsSynced: 0, tpsComplete: 0 });
		expect(deltas.has('35')).toBe(false);
		expect(deltas.has('id')).toBe(false);
	});

	it('counts a TPS complete once it reaches its target and not before', () => {
		const before = { ...fresh('3523012001001', 120), verified: 119, recordedAt: minutes(0) };
		const after = { ...before, verified: 120, recordedAt: minutes(1) };
		expect(rollUp([{ before, after }]).get('id')).toEqual({
			verified: 1,
			target: 0,
			tpsSynced: 0,
			tpsComplete: 1
		});
	});

	it('a new target moves the target above the TPS, and can complete or reopen it', () => {
		const done = { ...fresh('3523012001001', 120), verified: 100, recordedAt: minutes(0) };
		const lowered = rollUp([{ before: done, after: { ...done, target: 100 } }]);
		expect(lowered.get('3523')).toEqual({ verified: 0, target: -20, tpsSynced: 0, tpsComplete: 1 });
		const raised = rollUp([{ before: { ...done, target: 100 }, after: { ...done, target: 150 } }]);
		expect(raised.get('id')).toEqual({ verified: 0, target: 50, tpsSynced: 0, tpsComplete: -1 });
	});

	it('a random stream applied in any split equals a recount from the final states', () => {
		let seed = 7;
		const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
		const codes = ['3523012001001', '3523012001002', '3523022001001', '3578012001001'];
		const state = new Map(codes.map((c) => [c, fresh(c, 200)]));
		const totals = new Map<string, { verified: number; tpsSynced: number; tpsComplete: number }>();
		for (let i = 0; i < 500; i++) {
			const code = codes[Math.floor(random() * codes.length)];
			const batch = [snap(minutes(Math.floor(random() * 300)), Math.floor(random() * 220))];
			const outcome = applySnapshots(state.get(code)!, batch);
			state.set(code, outcome.after);
			for (const [region, d] of rollUp([outcome])) {
				const t = totals.get(region) ?? { verified: 0, tpsSynced: 0, tpsComplete: 0 };
				totals.set(region, {
					verified: t.verified + d.verified,
					tpsSynced: t.tpsSynced + d.tpsSynced,
					tpsComplete: t.tpsComplete + d.tpsComplete
				});
			}
		}
		const recount = [...state.values()].map(contribution).reduce(
			(s, c) => ({
				verified: s.verified + c.verified,
				tpsSynced: s.tpsSynced + c.tpsSynced,
				tpsComplete: s.tpsComplete + c.tpsComplete
			}),
			{ verified: 0, tpsSynced: 0, tpsComplete: 0 }
		);
		expect(totals.get('id')).toEqual(recount);
	});
});

describe('coverage', () => {
	it('is verified over target, and null without a target', () => {
		expect(coverage(125, 250)).toBe(0.5);
		expect(coverage(0, 0)).toBeNull();
	});
});
