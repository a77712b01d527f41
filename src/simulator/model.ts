/**
 * The field simulator's model of one Pantarlih and their e-Coklit phone, pure and deterministic:
 * every choice is a hash of the seed, the TPS code and the moment, so two runs with the same seed
 * send the same heartbeats (same ids), and a restarted simulator re-sends what the server already
 * has as duplicates instead of new data.
 *
 * A Pantarlih works one session on most campaign days, in the daytime of their own zone, checking
 * 10..25 voters an hour. While working the phone records a snapshot every 20 to 45 minutes and
 * syncs it when it has signal; out of signal it keeps the snapshots and sends them as one backlog
 * batch later. In the evening (18:00-23:00 local, as phones charge) it syncs once more, on days
 * off too, so a working phone is never silent for a day. Some never sync, some regencies lag, some phones keep records stuck on the phone, some
 * clocks are a few minutes off, and a few snapshots report a corrected (lower) count.
 */
import { unit } from '../lib/domain/simulated';
import { zoneOf } from '../lib/domain/calendar';

export interface Behaviour {
	seed: number;
	/** Share of Pantarlih whose phone never syncs. */
	neverSyncShare: number;
	/** Share of regencies that lag (their Pantarlih work at `lagFactor` of the normal pace). */
	lagRegencyShare: number;
	lagFactor: number;
	/** Share of regencies with poor signal, and the chance of a given hour being offline there. */
	remoteRegencyShare: number;
	remoteOfflineShare: number;
	/** Chance of an hour being offline elsewhere. */
	offlineShare: number;
	/** Share of days a Pantarlih does not work. */
	dayOffShare: number;
	votersPerHour: readonly [number, number];
	hoursPerDay: readonly [number, number];
	syncEveryMinutes: readonly [number, number];
	/** The local hours in which the app's background sync of the evening happens. */
	eveningHours: readonly [number, number];
	/** Phone clocks are off by up to this many minutes, either way. */
	clockSkewMinutes: number;
	/** Share of phones whose records stay stuck on the phone (`pending` stays high). */
	stuckShare: number;
	/** Chance of a snapshot reporting a lower count than before (a correction). */
	decreaseRate: number;
	/** Chance of a batch being sent twice, and of one arriving after the next. */
	duplicateRate: number;
	reorderRate: number;
	/** Share of phones that send a location (lat, lng). */
	locationShare: number;
}

export const DEFAULT_BEHAVIOUR: Behaviour = {
	seed: 2024,
	neverSyncShare: 0.01,
	lagRegencyShare: 0.08,
	lagFactor: 0.5,
	remoteRegencyShare: 0.1,
	remoteOfflineShare: 0.35,
	offlineShare: 0.03,
	dayOffShare: 0.2,
	votersPerHour: [10, 25],
	hoursPerDay: [0.5, 1.1],
	syncEveryMinutes: [20, 45],
	eveningHours: [18, 23],
	clockSkewMinutes: 3,
	stuckShare: 0.02,
	decreaseRate: 0.0003,
	duplicateRate: 0.03,
	reorderRate: 0.02,
	locationShare: 0.6
};

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
/** A backlog batch carries at most this many snapshots (the API allows 500). */
export const MAX_BACKLOG = 48;

// Salts: each decision draws from its own stream.
const S = {
	never: 11,
	lag: 12,
	remote: 13,
	rate: 14,
	hours: 15,
	start: 16,
	interval: 17,
	skew: 18,
	stuck: 19,
	app: 20,
	tms: 21,
	fresh: 22,
	place: 23,
	off: 31,
	jitter: 32,
	length: 33,
	signal: 34,
	decrease: 35,
	pending: 36,
	id: 37,
	duplicate: 39,
	reorder: 40,
	lat: 41,
	lng: 42,
	evening: 43
} as const;

const between = (range: readonly [number, number], u: number) =>
	range[0] + (range[1] - range[0]) * u;

export interface CampaignDays {
	firstDay: string;
	lastDay: string;
}

export interface Phone {
	tps: string;
	target: number;
	never: boolean;
	/** Voters per working hour, already slowed in a lagging regency. */
	pace: number;
	hours: number;
	/** Local hour the daily session usually starts. */
	startHour: number;
	intervalMs: number;
	eveningHours: readonly [number, number];
	skewMs: number;
	stuck: boolean;
	offlineShare: number;
	app: string;
	tmsShare: number;
	newShare: number;
	/** Where the phone reports from, if it does (regency centre, jittered). */
	place: { lat: number; lng: number } | null;
	/** UTC milliseconds of local midnight on the campaign's first day, and the day count. */
	day0: number;
	days: number;
	seed: number;
}

export function campaignDayCount(c: CampaignDays): number {
	return Math.round((Date.parse(c.lastDay) - Date.parse(c.firstDay)) / DAY) + 1;
}

export function phoneFor(
	tps: string,
	target: number,
	campaign: CampaignDays,
	behaviour: Behaviour = DEFAULT_BEHAVIOUR,
	centre?: { lat: number; lng: number }
): Phone {
	const b = behaviour;
	const u = (salt: number) => unit(tps, b.seed * 1_000 + salt);
	const regency = tps.slice(0, 4);
	const lagging = unit(regency, b.seed * 1_000 + S.lag) < b.lagRegencyShare;
	const remote = unit(regency, b.seed * 1_000 + S.remote) < b.remoteRegencyShare;
	const offset = zoneOf(tps.slice(0, 2)).utcOffset;
	const hasPlace = centre && u(S.place) < b.locationShare;
	return {
		tps,
		target,
		never: u(S.never) < b.neverSyncShare,
		pace: between(b.votersPerHour, u(S.rate)) * (lagging ? b.lagFactor : 1),
		hours: between(b.hoursPerDay, u(S.hours)),
		// Sessions start between 08:00 and 16:00 local.
		startHour: 8 + 8 * u(S.start),
		intervalMs: Math.round(between(b.syncEveryMinutes, u(S.interval))) * MINUTE,
		eveningHours: b.eveningHours,
		skewMs: Math.round((u(S.skew) * 2 - 1) * b.clockSkewMinutes * MINUTE),
		stuck: u(S.stuck) < b.stuckShare,
		offlineShare: remote ? b.remoteOfflineShare : b.offlineShare,
		app: u(S.app) < 0.15 ? '2.3.9' : '2.4.1',
		tmsShare: 0.02 + 0.04 * u(S.tms),
		newShare: 0.005 + 0.02 * u(S.fresh),
		place: hasPlace
			? {
					// Clustered by district around the regency centre, then spread a little per TPS.
					lat: round5(
						centre.lat +
							(unit(tps.slice(0, 6), b.seed * 1_000 + S.lat) - 0.5) * 0.3 +
							(unit(tps, b.seed * 1_000 + S.lat) - 0.5) * 0.06
					),
					lng: round5(
						centre.lng +
							(unit(tps.slice(0, 6), b.seed * 1_000 + S.lng) - 0.5) * 0.3 +
							(unit(tps, b.seed * 1_000 + S.lng) - 0.5) * 0.06
					)
				}
			: null,
		day0: Date.parse(`${campaign.firstDay}T00:00:00Z`) - offset * HOUR,
		days: campaignDayCount(campaign),
		seed: b.seed
	};
}

const round5 = (x: number) => Math.round(x * 100_000) / 100_000;

interface Session {
	start: number;
	end: number;
}

/** The day's working session (UTC ms), or null on a day off or outside the campaign. */
export function sessionOn(phone: Phone, day: number, dayOffShare: number): Session | null {
	if (day < 0 || day >= phone.days) return null;
	const key = `${phone.tps}:${day}`;
	const u = (salt: number) => unit(key, phone.seed * 1_000 + salt);
	if (u(S.off) < dayOffShare) return null;
	const start = phone.day0 + day * DAY + (phone.startHour + (u(S.jitter) - 0.5) * 2) * HOUR;
	const length = phone.hours * (0.8 + 0.4 * u(S.length)) * HOUR;
	return { start: Math.round(start), end: Math.round(start + length) };
}

const dayOf = (phone: Phone, t: number) => Math.floor((t - phone.day0) / DAY);

/** Voters really checked by time `t` (before any reporting quirk), capped at the target. */
export function verifiedAt(phone: Phone, t: number, dayOffShare: number): number {
	let worked = 0;
	const last = Math.min(dayOf(phone, t), phone.days - 1);
	for (let day = 0; day <= last; day++) {
		const s = sessionOn(phone, day, dayOffShare);
		if (!s || t <= s.start) continue;
		worked += Math.min(t, s.end) - s.start;
	}
	return Math.min(phone.target, Math.floor((worked / HOUR) * phone.pace));
}

/** Whether the phone has signal in the hour containing `t`. */
export function inSignal(phone: Phone, t: number): boolean {
	return (
		unit(`${phone.tps}:${Math.floor(t / HOUR)}`, phone.seed * 1_000 + S.signal) >=
		phone.offlineShare
	);
}

/**
 * The moments the app records (and tries to sync) a snapshot on a campaign day: every interval
 * through the working session and at its end, and a background sync in the evening (18:00-23:00
 * local), on days off too.
 */
function slotsOn(phone: Phone, day: number, dayOffShare: number): number[] {
	if (day < 0 || day >= phone.days) return [];
	const slots: number[] = [];
	const s = sessionOn(phone, day, dayOffShare);
	if (s) {
		for (let t = s.start; t < s.end; t += phone.intervalMs) slots.push(t);
		slots.push(s.end);
	}
	const evening = unit(`${phone.tps}:${day}`, phone.seed * 1_000 + S.evening);
	slots.push(Math.round(phone.day0 + day * DAY + between(phone.eveningHours, evening) * HOUR));
	return slots;
}

/**
 * When the phone next syncs after `after` (its last successful sync): the first slot with signal;
 * what it recorded out of signal goes with it. Null when it has nothing more to send (campaign
 * over, target reached, or a phone that never syncs).
 */
export function nextSync(phone: Phone, after: number, dayOffShare: number): number | null {
	if (phone.never) return null;
	// Done: the sync that reported the target was the last.
	if (verifiedAt(phone, after, dayOffShare) >= phone.target) return null;
	for (let day = Math.max(0, dayOf(phone, after) - 1); day < phone.days; day++) {
		for (const t of slotsOn(phone, day, dayOffShare)) if (t > after && inSignal(phone, t)) return t;
	}
	return null;
}

export interface SimHeartbeat {
	id: string;
	tps: string;
	verified: number;
	tms: number;
	newVoters: number;
	pending: number;
	recordedAt: string;
	app: string;
	battery: number;
	lat?: number;
	lng?: number;
}

/** The snapshots recorded in (`after`, `until`]: what one sync sends, newest last, at most MAX_BACKLOG. */
export function backlog(
	phone: Phone,
	after: number,
	until: number,
	behaviour: Behaviour = DEFAULT_BEHAVIOUR
): SimHeartbeat[] {
	const slots: number[] = [];
	for (let day = Math.max(0, dayOf(phone, after) - 1); day <= dayOf(phone, until); day++) {
		for (const t of slotsOn(phone, day, behaviour.dayOffShare)) {
			if (t > after && t <= until) slots.push(t);
		}
	}
	return slots.slice(-MAX_BACKLOG).map((t) => snapshot(phone, t, behaviour));
}

/** The snapshot the app records at slot `t`. */
export function snapshot(
	phone: Phone,
	t: number,
	behaviour: Behaviour = DEFAULT_BEHAVIOUR
): SimHeartbeat {
	const key = `${phone.tps}:${t}`;
	const u = (salt: number) => unit(key, phone.seed * 1_000 + salt);
	let verified = verifiedAt(phone, t, behaviour.dayOffShare);
	if (verified > 5 && u(S.decrease) < behaviour.decreaseRate)
		verified -= 1 + Math.floor(u(S.pending) * 5);
	const day = dayOf(phone, t);
	const s = sessionOn(phone, day, behaviour.dayOffShare);
	const sessionShare = s ? Math.min(1, Math.max(0, (t - s.start) / (s.end - s.start))) : 1;
	const heartbeat: SimHeartbeat = {
		id: uuidFor(key, phone.seed),
		tps: phone.tps,
		verified,
		tms: Math.floor(verified * phone.tmsShare),
		newVoters: Math.floor(verified * phone.newShare),
		pending: phone.stuck
			? 60 + Math.floor(u(S.pending) * 60)
			: sessionShare < 1
				? Math.floor(u(S.pending) * 4)
				: 0,
		recordedAt: new Date(t + phone.skewMs).toISOString(),
		app: phone.app,
		battery: Math.round((1 - 0.5 * sessionShare) * 100) / 100
	};
	if (phone.place) Object.assign(heartbeat, phone.place);
	return heartbeat;
}

/** Whether the batch sent at `t` is sent twice, and whether it is held back until the next one. */
export function quirksAt(phone: Phone, t: number, behaviour: Behaviour = DEFAULT_BEHAVIOUR) {
	const key = `${phone.tps}:${t}`;
	return {
		duplicate: unit(key, phone.seed * 1_000 + S.duplicate) < behaviour.duplicateRate,
		reorder: unit(key, phone.seed * 1_000 + S.reorder) < behaviour.reorderRate
	};
}

/** A version-4-shaped UUID derived from a key (deterministic, unlike crypto.randomUUID). */
export function uuidFor(key: string, seed: number): string {
	const words = [0, 1, 2, 3].map((i) =>
		Math.floor(unit(key, seed * 1_000 + S.id + i * 7_919) * 0x1_0000_0000)
			.toString(16)
			.padStart(8, '0')
	);
	const hex = words.join('');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
