/**
 * The heartbeat log as evidence: a region's heartbeats of a local day, streamed in the canonical
 * order (TPS code, receive time, id) a page at a time, never held whole; and the SHA-256 digests of
 * a day (domain/evidence.ts says how they are made), computed from that same stream, so what the
 * nightly freeze stores, what `evidence:verify` recomputes and what anyone recomputes from the read
 * API are one computation.
 */
import { createHash } from 'node:crypto';
import { sql, type SQL } from 'drizzle-orm';
import { addDays, dayStart, zoneOf, ZONES, type Zone } from '../../domain/calendar';
import { NATION_CODE, parentCode, regionLevel } from '../../domain/codes';
import { canonicalLine, childLines, type EvidenceRow } from '../../domain/evidence';
import { rows, type Database } from '../platform/db/client';
import { epochMs, withinRegion } from '../platform/db/sql';
import { partitionDays, partitionName } from './partitions';

/** [from, to) in ms: the local day in the zone. */
export const dayWindow = (date: string, zone: Zone): [number, number] => [
	dayStart(date, zone),
	dayStart(addDays(date, 1), zone)
];

const PAGE = 5_000;

export interface EvidenceRaw {
	id: string;
	tps: string;
	recorded_at: number;
	received_at: number;
	verified: number;
	tms: number;
	new_voters: number;
	pending: number;
	app: string | null;
	battery: string | null;
	lat: string | null;
	lng: string | null;
	device_token_id: number;
	/** The exact stored time (microseconds), for the next keyset page (`regionPages` only). */
	received_exact?: string;
}

export const evidenceRow = (r: EvidenceRaw): EvidenceRow => ({
	id: r.id,
	tps: r.tps,
	recordedAt: r.recorded_at,
	receivedAt: r.received_at,
	verified: r.verified,
	tms: r.tms,
	newVoters: r.new_voters,
	pending: r.pending,
	app: r.app,
	// As PostgreSQL writes them (the shortest exact text), read back as numbers: the same on both
	// engines, and the same as the API streams.
	battery: r.battery === null ? null : Number(r.battery),
	lat: r.lat === null ? null : Number(r.lat),
	lng: r.lng === null ? null : Number(r.lng),
	deviceToken: r.device_token_id
});

/**
 * The recorded times that heartbeats received in [start, end) can have: from the first to the end
 * of the last day partition holding any (a partition's BRIN index on received_at answers that for
 * the price of a glance). The day's queries add them, so that PostgreSQL walks the (tps_code,
 * received_at) index of those few partitions only, not of every day the log holds, where a
 * region's range would be read through for nothing. Null when a heartbeat of the window sits in
 * the default partition (a phone clock far off): then every partition is read.
 */
async function recordedBounds(
	db: Database,
	start: string,
	end: string
): Promise<{ from: string; to: string } | null | 'none'> {
	const days = await partitionDays(db);
	const { held, stray } = await db.transaction(async (tx) => {
		// The BRIN index answers "none here" without reading the day; the planner, judging a
		// partition without such rows, would rather read it through (0.4 s for a national day).
		await tx.execute(sql`set local enable_seqscan = off`);
		const found: string[] = [];
		for (const day of days) {
			const [{ any }] = await rows<{ any: boolean }>(
				tx,
				sql`select exists (select 1 from ${sql.raw(partitionName(day))}
					where received_at >= ${start}::timestamptz and received_at < ${end}::timestamptz) as any`
			);
			if (any) found.push(day);
		}
		const [other] = await rows<{ any: boolean }>(
			tx,
			sql`select exists (select 1 from heartbeats_default
				where received_at >= ${start}::timestamptz and received_at < ${end}::timestamptz) as any`
		);
		return { held: found, stray: other.any };
	});
	if (stray) return null;
	if (held.length === 0) return 'none';
	return {
		from: new Date(dayStart(held[0], ZONES.WIB)).toISOString(),
		to: new Date(dayStart(addDays(held.at(-1)!, 1), ZONES.WIB)).toISOString()
	};
}

/** The columns of a heartbeat as the evidence reads it (EvidenceRaw), from `heartbeats`. */
export const evidenceColumns = sql`heartbeats.id::text as id, heartbeats.tps_code as tps,
	${epochMs(sql`heartbeats.recorded_at`)} as recorded_at, ${epochMs(sql`heartbeats.received_at`)} as received_at,
	heartbeats.verified, heartbeats.tms, heartbeats.new_voters, heartbeats.pending, heartbeats.app,
	heartbeats.battery::text as battery, heartbeats.lat::text as lat, heartbeats.lng::text as lng,
	heartbeats.device_token_id`;

/** A zone's local day in the log: its receive window, and the recorded times that can hold it. */
export interface DayRange {
	start: string;
	end: string;
	bounds: Awaited<ReturnType<typeof recordedBounds>>;
}

/** Found once per zone and day by the freeze (a glance at each day partition's BRIN index). */
export async function dayRange(db: Database, date: string, zone: Zone): Promise<DayRange> {
	const [from, to] = dayWindow(date, zone);
	const [start, end] = [new Date(from).toISOString(), new Date(to).toISOString()];
	return { start, end, bounds: await recordedBounds(db, start, end) };
}

/**
 * The one query of a region's day (the keyset pages and the digests read the same rows in the same
 * order): in canonical order, the whole day, or with `page` the `PAGE` rows after its cursor,
 * each with its exact receive time for the next one.
 */
function daySelect(
	code: string,
	{ start, end, bounds }: DayRange,
	page?: { after: [string, string, string] | null }
): SQL {
	const after = page?.after;
	return sql`select ${evidenceColumns}
			${page ? sql`, received_at::text as received_exact` : sql``}
		from heartbeats
		where ${withinRegion(sql`tps_code`, code)}
			and received_at >= ${start}::timestamptz and received_at < ${end}::timestamptz
			${bounds && bounds !== 'none' ? sql`and recorded_at >= ${bounds.from}::timestamptz and recorded_at < ${bounds.to}::timestamptz` : sql``}
			${after ? sql`and (tps_code, received_at, id) > (${after[0]}, ${after[1]}::timestamptz, ${after[2]}::uuid)` : sql``}
		order by heartbeats.tps_code, heartbeats.received_at, heartbeats.id
		${page ? sql`limit ${PAGE}` : sql``}`;
}

/**
 * The heartbeats of one region (not the nation) received on `date` in its zone, in canonical
 * order, `PAGE` at a time (keyset pages on the (tps_code, received_at, id) index of the day
 * partitions that hold any).
 */
async function* regionPages(
	db: Database,
	code: string,
	date: string
): AsyncGenerator<EvidenceRow[]> {
	const range = await dayRange(db, date, zoneOf(code));
	if (range.bounds === 'none') return;
	let after: [string, string, string] | null = null;
	for (;;) {
		const page: EvidenceRaw[] = await rows<EvidenceRaw>(db, daySelect(code, range, { after }));
		if (page.length === 0) return;
		yield page.map(evidenceRow);
		if (page.length < PAGE) return;
		const last: EvidenceRaw = page.at(-1)!;
		// The stored time itself, not its milliseconds: a row stored with microseconds (a restore,
		// a default now()) is neither skipped nor repeated at a page boundary.
		after = [last.tps, last.received_exact!, last.id];
	}
}

/**
 * Every heartbeat of one region (not the nation) received on `date`, in canonical order, handed
 * to `each` a page at a time, from one query read through a cursor in a transaction. Planned for
 * its whole result (cursor_tuple_fraction 1), PostgreSQL reads the day's partitions in their order
 * and sorts once: a page at a time by the (tps_code, received_at, id) index reads the heap at
 * random, one page of it per row (a national day: twice the time). For the nightly freeze and
 * evidence:verify, which read whole days; the read API pages by keyset (`regionPages`) and holds
 * no connection while a client reads slowly.
 */
async function eachDayPage(
	db: Database,
	code: string,
	date: string,
	each: (page: EvidenceRow[]) => void,
	range?: DayRange
): Promise<void> {
	const day = range ?? (await dayRange(db, date, zoneOf(code)));
	if (day.bounds === 'none') return;
	await db.transaction(async (tx) => {
		await tx.execute(sql`set local cursor_tuple_fraction = 1`);
		await tx.execute(sql`declare evidence_day no scroll cursor for ${daySelect(code, day)}`);
		const fetch = () => rows<EvidenceRaw>(tx, sql.raw(`fetch ${PAGE} from evidence_day`));
		let next = fetch();
		for (;;) {
			const page = await next;
			if (page.length === 0) break;
			// The next page is read while this one is hashed (the database and the server each
			// have a core); awaited on the next turn, or caught here if `each` throws first.
			next = page.length < PAGE ? Promise.resolve([]) : fetch();
			next.catch(() => {});
			each(page.map(evidenceRow));
		}
		await tx.execute(sql`close evidence_day`);
	});
}

/**
 * `pages` one page ahead: the next page's query runs while the caller works on this one (the
 * database and the server each have a core), never more than two pages in memory.
 */
export async function* aheadByOne<T>(pages: AsyncGenerator<T>): AsyncGenerator<T> {
	let next = pages.next();
	try {
		for (;;) {
			const current = await next;
			if (current.done) return;
			next = pages.next();
			yield current.value;
		}
	} finally {
		await pages.return(undefined);
	}
}

/**
 * The heartbeats of a region (the nation: each province on its own zone's day, in code order)
 * received on `date`, a page at a time.
 */
export async function* heartbeatsOfDay(
	db: Database,
	code: string,
	date: string,
	provinces: () => Promise<string[]>
): AsyncGenerator<EvidenceRow[]> {
	for (const region of code === NATION_CODE ? await provinces() : [code])
		yield* aheadByOne(regionPages(db, region, date));
}

export interface DayDigest {
	heartbeats: number;
	/** SHA-256 hex; null when the region received no heartbeat that day. */
	digest: string | null;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The digests of `date` for a region and every region inside it (villages up to it), from one
 * pass over its heartbeats of that day. The nation's, from its provinces', is `nationDigest`.
 */
export async function dayDigests(
	db: Database,
	code: string,
	date: string,
	range?: DayRange
): Promise<Map<string, DayDigest>> {
	const counts = new Map<string, number>();
	// Children's digests per parent, filled bottom-up.
	const children = new Map<string, Map<string, string>>();
	const result = new Map<string, DayDigest>();
	let village: string | null = null;
	let hash = createHash('sha256');
	let inVillage = 0;
	const closeVillage = () => {
		if (village === null) return;
		const digest = hash.digest('hex');
		result.set(village, { heartbeats: inVillage, digest });
		const parent = parentCode(village)!;
		if (!children.has(parent)) children.set(parent, new Map());
		children.get(parent)!.set(village, digest);
	};
	await eachDayPage(
		db,
		code,
		date,
		(page) => {
			for (const row of page) {
				const here = row.tps.slice(0, 10);
				if (here !== village) {
					closeVillage();
					village = here;
					hash = createHash('sha256');
					inVillage = 0;
				}
				hash.update(canonicalLine(row));
				inVillage += 1;
			}
		},
		range
	);
	closeVillage();
	// Heartbeats per region: each village's count added to its district, regency and province.
	for (const [region, { heartbeats }] of result)
		for (let r = parentCode(region); r !== null && r !== NATION_CODE; r = parentCode(r))
			counts.set(r, (counts.get(r) ?? 0) + heartbeats);
	// Districts, then regencies, then provinces: each from the level below.
	for (const level of ['district', 'regency', 'province'] as const) {
		for (const [parent, kids] of [...children]) {
			if (regionLevel(parent) !== level) continue;
			const digest = sha256(childLines(kids));
			result.set(parent, { heartbeats: counts.get(parent) ?? 0, digest });
			const up = parentCode(parent);
			if (up !== null && up !== NATION_CODE && (code === NATION_CODE || up.length >= code.length)) {
				if (!children.has(up)) children.set(up, new Map());
				children.get(up)!.set(parent, digest);
			}
		}
	}
	// Regions inside `code` that exist but received nothing are absent: the caller reads them as
	// { heartbeats: 0, digest: null }.
	return new Map(
		[...result].filter(([region]) => region.startsWith(code === NATION_CODE ? '' : code))
	);
}

/** The nation's digest of `date`: from each province's (each on its own zone's day). */
export function nationDigest(provinces: ReadonlyMap<string, DayDigest>): DayDigest {
	const withData = new Map(
		[...provinces].filter(([, d]) => d.digest !== null).map(([c, d]) => [c, d.digest!])
	);
	return {
		heartbeats: [...provinces.values()].reduce((n, d) => n + d.heartbeats, 0),
		digest: withData.size > 0 ? sha256(childLines(withData)) : null
	};
}
