import { describe, expect, it } from 'vitest';
import { ActivityIndex, SYNC_STATES, syncState, type TpsActivity } from './activity';

const H = 3_600_000;
const NOW = Date.parse('2026-02-20T08:00:00Z');
const th = { silentHours: 24, stuckPending: 50, stuckHours: 6, stalledDays: 2 };
const tps = (code: string, extra: Partial<TpsActivity> = {}): TpsActivity => ({
	code,
	target: 200,
	verified: 10,
	pending: 0,
	firstSyncAt: NOW - 30 * H,
	lastSyncAt: NOW - H,
	progressAt: NOW - H,
	pendingSince: null,
	...extra
});

describe('syncState', () => {
	it('reaches every state from the phone history and the clock', () => {
		expect(syncState(tps('1', { verified: 200 }), NOW, th)).toBe('selesai');
		expect(
			syncState(tps('1', { lastSyncAt: null, firstSyncAt: null, progressAt: null }), NOW, th)
		).toBe('belum_pernah');
		expect(syncState(tps('1', { lastSyncAt: NOW - 25 * H }), NOW, th)).toBe('senyap');
		expect(syncState(tps('1', { lastSyncAt: NOW - 23 * H }), NOW, th)).toBe('aktif');
		expect(syncState(tps('1', { pending: 51, pendingSince: NOW - 7 * H }), NOW, th)).toBe(
			'tertahan'
		);
		expect(syncState(tps('1', { pending: 51, pendingSince: NOW - 5 * H }), NOW, th)).toBe('aktif');
		expect(syncState(tps('1', { pending: 50, pendingSince: NOW - 7 * H }), NOW, th)).toBe('aktif');
		expect(syncState(tps('1', { progressAt: NOW - 49 * H }), NOW, th)).toBe('macet');
		// Syncing but never any progress: counted from the first sync.
		expect(syncState(tps('1', { progressAt: null, firstSyncAt: NOW - 50 * H }), NOW, th)).toBe(
			'macet'
		);
	});

	it('a phone that syncs but has verified nobody yet is belum mulai, never aktif', () => {
		expect(syncState(tps('1', { verified: 0, progressAt: null }), NOW, th)).toBe('belum_mulai');
		// ...until the stall threshold: then it is macet.
		expect(
			syncState(tps('1', { verified: 0, progressAt: null, firstSyncAt: NOW - 49 * H }), NOW, th)
		).toBe('macet');
	});

	it('a silent phone is senyap even when its last count was stuck', () => {
		expect(
			syncState(tps('1', { lastSyncAt: NOW - 30 * H, progressAt: NOW - 90 * H }), NOW, th)
		).toBe('senyap');
	});
});

describe('ActivityIndex', () => {
	const rows = [
		tps('3501010001002', { lastSyncAt: NOW - 2 * H }),
		tps('3501010001001', { lastSyncAt: NOW - 30 * H }),
		tps('3501020001001', { lastSyncAt: null, firstSyncAt: null, progressAt: null }),
		tps('3502010001001', { lastSyncAt: NOW - 10 * H }),
		tps('3101010001001')
	];
	const index = new ActivityIndex(rows);

	it('finds the contiguous range of any region, and single TPS', () => {
		expect(index.range('id')).toEqual([0, 5]);
		expect(index.range('31')).toEqual([0, 1]);
		expect(index.range('35')).toEqual([1, 5]);
		expect(index.range('3501')).toEqual([1, 4]);
		expect(index.range('350101')).toEqual([1, 3]);
		expect(index.range('3501010001')).toEqual([1, 3]);
		expect(index.range('36')).toEqual([5, 5]);
		expect(index.indexOf('3501010001001')).toBe(1);
		expect(index.indexOf('3501010001003')).toBe(-1);
		expect(index.row(1).code).toBe('3501010001001');
	});

	it('counts TPS synced since a moment, silent Pantarlih and never-synced ones apart, per region', () => {
		const since = NOW - 12 * H;
		expect(index.counts('3501', NOW, since, 24)).toEqual({ syncedToday: 1, silent: 1, never: 1 });
		expect(index.counts('35', NOW, since, 24)).toEqual({ syncedToday: 2, silent: 1, never: 1 });
		expect(index.counts('id', NOW, since, 24)).toEqual({ syncedToday: 3, silent: 1, never: 1 });
	});

	it('records a heartbeat: last sync, progress time only on a rise, pending since', () => {
		const live = new ActivityIndex([
			tps('3501020001001', { lastSyncAt: null, firstSyncAt: null, progressAt: null })
		]);
		live.record('3501020001001', { verified: 0, pending: 3 }, NOW);
		expect(live.row(0)).toMatchObject({
			firstSyncAt: NOW,
			lastSyncAt: NOW,
			progressAt: null,
			pendingSince: NOW
		});
		live.record('3501020001001', { verified: 5, pending: 4 }, NOW + H);
		expect(live.row(0)).toMatchObject({
			firstSyncAt: NOW,
			lastSyncAt: NOW + H,
			progressAt: NOW + H,
			pendingSince: NOW
		});
		live.record('3501020001001', { verified: 5, pending: 0 }, NOW + 2 * H);
		expect(live.row(0)).toMatchObject({ progressAt: NOW + H, pendingSince: null, verified: 5 });
		live.record('9999999999999', { verified: 1, pending: 0 }, NOW);
		expect(live.size).toBe(1);
	});

	it('pre-checks the phone rules without missing one that holds', async () => {
		const { phoneConditions, DEFAULT_ALERT_SETTINGS } = await import('./alerts');
		const cases = [
			tps('3501010001001'),
			tps('3501010001002', { lastSyncAt: NOW - 25 * H }),
			tps('3501010001003', { lastSyncAt: null, firstSyncAt: null, progressAt: null }),
			tps('3501010001004', { progressAt: NOW - 50 * H }),
			tps('3501010001005', { progressAt: null, firstSyncAt: NOW - 50 * H }),
			tps('3501010001006', { pending: 60, pendingSince: NOW - 7 * H }),
			tps('3501010001007', { pending: 60, pendingSince: NOW - 5 * H }),
			tps('3501010001008', { verified: 200, lastSyncAt: NOW - 90 * H })
		];
		const idx = new ActivityIndex(cases);
		for (let i = 0; i < idx.size; i++) {
			for (const day of [1, 5]) {
				const holds = phoneConditions(idx.row(i), NOW, day, DEFAULT_ALERT_SETTINGS).length > 0;
				expect(idx.mayAlert(i, NOW, th, day > 2), `${idx.row(i).code} day ${day}`).toBe(holds);
			}
		}
	});

	it('stateAt reads the same state as syncState on the row, for every case', () => {
		const cases = [
			tps('3501010001001'),
			tps('3501010001002', { lastSyncAt: NOW - 25 * H }),
			tps('3501010001003', { lastSyncAt: null, firstSyncAt: null, progressAt: null }),
			tps('3501010001004', { progressAt: NOW - 50 * H }),
			tps('3501010001005', { progressAt: null, firstSyncAt: NOW - 50 * H }),
			tps('3501010001006', { progressAt: null, firstSyncAt: null, lastSyncAt: NOW - 49 * H }),
			tps('3501010001007', { pending: 60, pendingSince: NOW - 7 * H }),
			tps('3501010001008', { pending: 60, pendingSince: NOW - 5 * H }),
			tps('3501010001009', { pending: 60, pendingSince: null }),
			tps('3501010001010', { verified: 200, lastSyncAt: NOW - 90 * H }),
			tps('3501010001011', { target: 0, verified: 0 })
		];
		const idx = new ActivityIndex(cases);
		const seen = new Set<string>();
		for (let i = 0; i < idx.size; i++) {
			const state = idx.stateAt(i, NOW, th);
			expect(state, idx.row(i).code).toBe(syncState(idx.row(i), NOW, th));
			seen.add(state);
		}
		expect(seen.size).toBe(SYNC_STATES.length);
	});

	it('counts sync states per region', () => {
		const states = index.states('35', NOW, th);
		expect(states).toEqual({
			belum_pernah: 1,
			senyap: 1,
			tertahan: 0,
			macet: 0,
			aktif: 2,
			selesai: 0,
			belum_mulai: 0
		});
	});
});
