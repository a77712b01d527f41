import { describe, expect, it } from 'vitest';
import {
	DEFAULT_BEHAVIOUR,
	MAX_BACKLOG,
	backlog,
	inSignal,
	nextSync,
	phoneFor,
	quirksAt,
	sessionOn,
	snapshot,
	uuidFor,
	verifiedAt,
	type Phone
} from './model';

const campaign = { firstDay: '2026-02-12', lastDay: '2026-03-13' };
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const b = DEFAULT_BEHAVIOUR;
// Phones spread over the country: Jawa Timur (WIB), Bali (WITA), Papua (WIT).
const fleet = (n: number): Phone[] =>
	Array.from({ length: n }, (_, i) => {
		const province = ['35', '51', '91'][i % 3];
		const tps = `${province}${String(1 + (i % 40)).padStart(2, '0')}${String(i).padStart(6, '0')}${String(i % 999).padStart(3, '0')}`;
		return phoneFor(tps, 250, campaign, b);
	});
const localHour = (t: number, offset: number) => (((t / HOUR + offset) % 24) + 24) % 24;

describe('phone model', () => {
	const phones = fleet(6_000);

	it('is deterministic: the same seed gives the same phone and the same heartbeat ids', () => {
		const a = phoneFor('3501010001001', 250, campaign, b);
		const again = phoneFor('3501010001001', 250, campaign, b);
		expect(again).toEqual(a);
		const t = a.day0 + 3 * DAY + 12 * HOUR;
		expect(snapshot(again, t).id).toBe(snapshot(a, t).id);
		const other = phoneFor('3501010001001', 250, campaign, { ...b, seed: 7 });
		expect(snapshot(other, t).id).not.toBe(snapshot(a, t).id);
	});

	it('makes well-formed, distinct UUIDs', () => {
		const ids = new Set(Array.from({ length: 10_000 }, (_, i) => uuidFor(`k${i}`, 1)));
		expect(ids.size).toBe(10_000);
		for (const id of [...ids].slice(0, 100)) {
			expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
		}
	});

	it('works in local daytime in each zone (WIB, WITA, WIT)', () => {
		for (const phone of phones.slice(0, 600)) {
			const offset = { '35': 7, '51': 8, '91': 9 }[phone.tps.slice(0, 2)]!;
			for (let day = 0; day < 5; day++) {
				const s = sessionOn(phone, day, b.dayOffShare);
				if (!s) continue;
				expect(localHour(s.start, offset)).toBeGreaterThanOrEqual(7);
				expect(localHour(s.end, offset)).toBeLessThanOrEqual(19);
			}
		}
	});

	it('checks 10..25 voters a working hour, never more than the target, never backwards', () => {
		for (const phone of phones.slice(0, 300)) {
			let previous = 0;
			for (let t = phone.day0; t < phone.day0 + phone.days * DAY; t += 3 * HOUR) {
				const v = verifiedAt(phone, t, b.dayOffShare);
				expect(v).toBeGreaterThanOrEqual(previous);
				expect(v).toBeLessThanOrEqual(phone.target);
				previous = v;
			}
			expect(phone.pace).toBeGreaterThanOrEqual(10 * b.lagFactor);
			expect(phone.pace).toBeLessThanOrEqual(25);
		}
		// A session of h hours adds about pace * h voters.
		const phone = phones.find((p) => sessionOn(p, 0, b.dayOffShare) && p.pace >= 10)!;
		const s = sessionOn(phone, 0, b.dayOffShare)!;
		const done = verifiedAt(phone, s.end, b.dayOffShare);
		expect(done).toBe(Math.floor(((s.end - s.start) / HOUR) * phone.pace));
	});

	it('runs ahead of a linear target early and ends near, not at, 100%', () => {
		const coverage = (day: number) =>
			phones.reduce((sum, p) => sum + verifiedAt(p, p.day0 + day * DAY, b.dayOffShare), 0) /
			phones.reduce((sum, p) => sum + p.target, 0);
		expect(coverage(10)).toBeGreaterThan(10 / 30);
		expect(coverage(30)).toBeGreaterThan(0.85);
		expect(coverage(30)).toBeLessThan(0.99);
		const end = phones[0].day0 + phones[0].days * DAY;
		const finished = phones.filter((p) => verifiedAt(p, end, b.dayOffShare) >= p.target).length;
		expect(finished / phones.length).toBeGreaterThan(0.5);
		const slow = phones.filter((p) => p.pace < 12.5);
		expect(slow.length).toBeGreaterThan(0);
	});

	it('draws never-syncing phones, stuck phones and clock skew at the configured rates', () => {
		const share = (f: (p: Phone) => boolean) => phones.filter(f).length / phones.length;
		expect(share((p) => p.never)).toBeCloseTo(b.neverSyncShare, 2);
		expect(share((p) => p.stuck)).toBeCloseTo(b.stuckShare, 2);
		for (const p of phones)
			expect(Math.abs(p.skewMs)).toBeLessThanOrEqual(b.clockSkewMinutes * 60_000);
		expect(
			nextSync(
				phones.find((p) => p.never)!,
				phones[0].day0,
				b.dayOffShare
			)
		).toBeNull();
	});

	it('duplicates and reorders batches at the configured rates', () => {
		let duplicate = 0;
		let reorder = 0;
		const n = 60_000;
		for (let i = 0; i < n; i++) {
			const q = quirksAt(phones[i % phones.length], phones[0].day0 + i * 60_000);
			duplicate += Number(q.duplicate);
			reorder += Number(q.reorder);
		}
		expect(duplicate / n).toBeCloseTo(b.duplicateRate, 2);
		expect(reorder / n).toBeCloseTo(b.reorderRate, 2);
	});

	it('reports a few decreases, at about the configured rate', () => {
		let decreases = 0;
		let snapshots = 0;
		for (const phone of phones.slice(0, 2_000)) {
			for (let day = 0; day < 10; day++) {
				const s = sessionOn(phone, day, b.dayOffShare);
				if (!s) continue;
				for (const h of backlog(phone, s.start - 1, s.end)) {
					snapshots += 1;
					if (
						h.verified < verifiedAt(phone, Date.parse(h.recordedAt) - phone.skewMs, b.dayOffShare)
					)
						decreases += 1;
				}
			}
		}
		expect(snapshots).toBeGreaterThan(10_000);
		expect(decreases / snapshots).toBeGreaterThan(b.decreaseRate / 3);
		expect(decreases / snapshots).toBeLessThan(b.decreaseRate * 3);
	});

	it('syncs only with signal, and sends what it recorded offline as one backlog batch', () => {
		const remote = phones.filter((p) => p.offlineShare > b.offlineShare && !p.never);
		expect(remote.length).toBeGreaterThan(0);
		let backlogs = 0;
		for (const phone of remote.slice(0, 200)) {
			let t = phone.day0;
			for (let n = 0; n < 40; n++) {
				const next = nextSync(phone, t, b.dayOffShare);
				if (next === null) break;
				expect(inSignal(phone, next)).toBe(true);
				const items = backlog(phone, t, next);
				expect(items.length).toBeLessThanOrEqual(MAX_BACKLOG);
				if (items.length > 1) backlogs += 1;
				for (const item of items) {
					const at = Date.parse(item.recordedAt) - phone.skewMs;
					expect(at).toBeGreaterThan(t);
					expect(at).toBeLessThanOrEqual(next);
				}
				t = next;
			}
		}
		expect(backlogs).toBeGreaterThan(0);
	});

	it('stops syncing once the target is reported', () => {
		const phone = phoneFor('3501010001001', 100, campaign, {
			...b,
			votersPerHour: [25, 25],
			hoursPerDay: [1.0, 1.0]
		});
		const end = phone.day0 + phone.days * DAY;
		const done = Array.from({ length: phone.days * 24 }, (_, h) => phone.day0 + h * HOUR).find(
			(t) => verifiedAt(phone, t, b.dayOffShare) >= phone.target
		)!;
		expect(done).toBeLessThan(end);
		expect(nextSync(phone, done, b.dayOffShare)).toBeNull();
	});
});
