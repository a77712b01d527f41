import { describe, expect, it } from 'vitest';
import { ActivityIndex, syncState, SYNC_STATES, type TpsActivity } from './activity';
import { ancestors } from './codes';
import { byGap, spreadGaps, tally, LARGEST_GAPS, stateCounts } from './report';
import { gapToTarget } from './target-curve';

const H = 3_600_000;
const NOW = Date.parse('2026-02-20T08:00:00Z');
const thresholds = { silentHours: 24, stuckPending: 50, stuckHours: 6, stalledDays: 2 };
const row = (code: string, verified: number, extra: Partial<TpsActivity> = {}): TpsActivity => ({
	code,
	target: 200,
	verified,
	pending: 0,
	firstSyncAt: NOW - 30 * H,
	lastSyncAt: NOW - H,
	progressAt: NOW - H,
	pendingSince: null,
	...extra
});

describe('digest', () => {
	it('counts states and lists gaps for every region above each TPS', () => {
		const tps = [
			row('3501010001001', 200),
			row('3501010001002', 20, { lastSyncAt: NOW - 30 * H }),
			row('3501020001001', 0, { lastSyncAt: null, firstSyncAt: null, progressAt: null }),
			row('3502010001001', 90)
		];
		const result = tally(new ActivityIndex(tps), 'id', {
			now: NOW,
			thresholds,
			shareOf: () => 0.5,
			wanted: () => true
		});
		expect(stateCounts(result.get('35')!.states)).toEqual({
			belum_pernah: 1,
			senyap: 1,
			tertahan: 0,
			macet: 0,
			aktif: 1,
			selesai: 1,
			belum_mulai: 0
		});
		// Half of 200 is due: 100 short at the never-synced TPS, 80 and 10 at the others.
		expect(result.get('id')!.largestGaps!.map((t) => [t.code, t.gap, t.state])).toEqual([
			['3501020001001', 100, 'belum_pernah'],
			['3501010001002', 80, 'senyap'],
			['3502010001001', 10, 'aktif']
		]);
		expect(result.get('3502')!.largestGaps!.map((t) => t.code)).toEqual(['3502010001001']);
		expect(result.get('3501010001')!.states.reduce((a, b) => a + b)).toBe(2);
	});

	it('leaves out unwanted regions and keeps gaps only where asked', () => {
		const result = tally(
			new ActivityIndex([row('3501010001001', 0), row('7101010001001', 0)]),
			'id',
			{
				now: NOW,
				thresholds,
				shareOf: () => 1,
				wanted: (code) => code.startsWith('35'),
				withGaps: (code) => code.length <= 4
			}
		);
		expect([...result.keys()].sort()).toEqual(['35', '3501', '350101', '3501010001']);
		expect(result.get('3501')!.largestGaps).toHaveLength(1);
		expect(result.get('350101')!.largestGaps).toBeNull();
	});

	it('equals a region-by-region recount on a random country', () => {
		let seed = 11;
		const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
		const tps: TpsActivity[] = [];
		for (let i = 0; i < 600; i++) {
			const code = `${['35', '71', '94'][i % 3]}0${1 + (i % 4)}0${1 + (i % 2)}200${i % 5}${String(i + 1).padStart(3, '0')}`;
			const synced = random() > 0.2;
			tps.push(
				row(code, Math.floor(random() * 220), {
					target: 150 + Math.floor(random() * 100),
					pending: Math.floor(random() * 80),
					pendingSince: NOW - Math.floor(random() * 10) * H,
					lastSyncAt: synced ? NOW - Math.floor(random() * 40) * H : null,
					firstSyncAt: synced ? NOW - 60 * H : null,
					progressAt: synced ? NOW - Math.floor(random() * 60) * H : null
				})
			);
		}
		const shareOf = (code: string) => (code.startsWith('94') ? 0.4 : 0.6);
		const result = tally(new ActivityIndex(tps), 'id', {
			now: NOW,
			thresholds,
			shareOf,
			wanted: () => true
		});
		const regions = new Set(tps.flatMap((t) => ancestors(t.code)));
		expect(new Set(result.keys())).toEqual(regions);
		for (const region of regions) {
			const inside = tps.filter((t) => ancestors(t.code).includes(region));
			const states = SYNC_STATES.map(
				(s) => inside.filter((t) => syncState(t, NOW, thresholds) === s).length
			);
			const gaps = inside
				.map((t) => ({
					code: t.code,
					verified: t.verified,
					target: t.target,
					gap: gapToTarget(t.verified, t.target, shareOf(t.code)),
					state: syncState(t, NOW, thresholds)
				}))
				.filter((t) => t.gap > 0)
				.sort(byGap)
				.slice(0, LARGEST_GAPS);
			expect(result.get(region)).toEqual({ states, largestGaps: gaps });
		}
	});
});

describe('spreadGaps', () => {
	const gap = (code: string, g: number) => ({
		code,
		verified: 0,
		target: 200,
		gap: g,
		state: 'belum_pernah' as const
	});
	it("takes each child's worst TPS before any child's second", () => {
		// Aceh's TPS are all 10 short; the others' worst are less short, but they are elsewhere.
		const aceh = Array.from({ length: 10 }, (_, i) => gap(`110101000100${i}`, 10));
		const picked = spreadGaps(
			new Map([
				['11', aceh],
				['35', [gap('3501010001001', 8), gap('3501010001002', 7)]],
				['94', [gap('9401010001001', 9)]]
			]),
			4
		);
		expect(picked.map((g) => g.code.slice(0, 2))).toEqual(['11', '94', '35', '11']);
	});

	it('returns fewer when there are fewer, and nothing from children without a gap', () => {
		expect(spreadGaps(new Map([['35', []]]))).toEqual([]);
		expect(spreadGaps(new Map([['35', [gap('3501010001001', 3)]]]))).toHaveLength(1);
	});
});
