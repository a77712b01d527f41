/**
 * One TPS as a viewer may see it (the TPS page and GET /api/v1/tps/<code>): its Pantarlih (phone
 * masked for observers and API tokens), sync state, numbers and times, open alerts, follow-up
 * notes, the enrolled phone, the chart's series; and its chronology (every heartbeat, newest first,
 * keyset-paged) with what each did to the TPS.
 */
import { sql } from 'drizzle-orm';
import { syncState, type SyncState } from '../../domain/activity';
import type { AlertRule } from '../../domain/alerts';
import { zoneOf } from '../../domain/calendar';
import { isTpsCode } from '../../domain/codes';
import { coverage } from '../../domain/coverage';
import { AppError } from '../../domain/errors';
import { countedSteps, effects, type Effect } from '../../domain/evidence';
import { canView, showPhone, type Principal } from '../../domain/roles';
import { gapToTarget } from '../../domain/target-curve';
import { rows, type Database } from '../platform/db/client';
import { epochMs } from '../platform/db/sql';
import { issueCursor, readCursor } from '../platform/cursor';
import { breadcrumb } from './regions';
import type { ViewDeps } from './deps';

export interface TpsState {
	code: string;
	number: string;
	village: { code: string; name: string };
	district: { code: string; name: string };
	zone: string;
	pantarlih: { name: string; phone: string };
	state: SyncState;
	verified: number;
	target: number;
	coverage: number | null;
	/** Today's target share and the voters short of it. */
	share: number;
	gap: number;
	tms: number;
	newVoters: number;
	pending: number;
	app: string | null;
	/** ms since the epoch, server time (recordedAt: the phone's clock of the counted snapshot). */
	firstSyncAt: number | null;
	lastSyncAt: number | null;
	recordedAt: number | null;
	location: { lat: number; lng: number } | null;
	heartbeats: number;
	device: { token: number; issuedAt: number; revokedAt: number | null } | null;
	alerts: {
		id: number;
		rule: AlertRule;
		status: string;
		openedAt: number;
		details: Record<string, string | number>;
	}[];
	followups: { note: string; contacted: boolean; author: string; at: number }[];
	parents: { code: string; name: string }[];
}

interface TpsRow {
	target: number;
	verified: number;
	tms: number;
	new_voters: number;
	pending: number;
	app: string | null;
	lat: number | null;
	lng: number | null;
	first: number | null;
	last: number | null;
	recorded: number | null;
	progress: number | null;
	pending_since: number | null;
	name: string | null;
	phone: string | null;
}

/** Refuses a malformed code (400), an unknown one (404) and one outside the viewer's scope (403). */
async function tpsRow(views: ViewDeps, viewer: Principal, code: string): Promise<TpsRow> {
	if (!isTpsCode(code)) throw new AppError('badTpsCode', { given: code });
	const [row] = await rows<TpsRow>(
		views.db,
		sql`select t.target, t.verified, t.tms, t.new_voters, t.pending, t.app, t.lat, t.lng,
				${epochMs(sql`t.first_sync_at`)} as first, ${epochMs(sql`t.last_sync_at`)} as last,
				${epochMs(sql`t.recorded_at`)} as recorded, ${epochMs(sql`t.progress_at`)} as progress,
				${epochMs(sql`t.pending_since`)} as pending_since, p.name, p.phone
			from tps t left join pantarlih p on p.tps_code = t.code
			where t.code = ${code}`
	);
	if (!row) throw new AppError('tpsNotFound', { code });
	// As for regions: the geography is public, so an unknown code is 404 before scope's 403.
	if (!canView(viewer, code)) throw new AppError('outsideScope', { code });
	return row;
}

export async function tpsState(
	views: ViewDeps,
	viewer: Principal,
	code: string
): Promise<TpsState> {
	const row = await tpsRow(views, viewer, code);
	const { db, store } = views;
	const now = views.now();
	const plan = views.plan();
	const today = plan.today(code, now);
	const share = today?.share ?? 0;
	const [extra] = await rows<{
		heartbeats: number;
		token: number | null;
		issued: number | null;
		revoked: number | null;
	}>(
		db,
		sql`select (select count(*)::int from heartbeats where tps_code = ${code}) as heartbeats,
				d.id as token, ${epochMs(sql`d.created_at`)} as issued, ${epochMs(sql`d.revoked_at`)} as revoked
			from (select 1) one
			left join lateral (select id, created_at, revoked_at from device_tokens
				where tps_code = ${code} order by created_at desc, id desc limit 1) d on true`
	);
	const alerts = await rows<TpsState['alerts'][number]>(
		db,
		sql`select id, rule, status, ${epochMs(sql`opened_at`)} as "openedAt", details from alerts
			where subject_code = ${code} and status <> 'resolved' order by opened_at desc`
	);
	const followups = await rows<TpsState['followups'][number]>(
		db,
		sql`select note, contacted, author, ${epochMs(sql`at`)} as at from followups
			where tps_code = ${code} order by at desc limit 50`
	);
	const villageCode = code.slice(0, 10);
	const districtCode = code.slice(0, 6);
	return {
		code,
		number: code.slice(10),
		village: { code: villageCode, name: store.get(villageCode)?.name ?? villageCode },
		district: { code: districtCode, name: store.get(districtCode)?.name ?? districtCode },
		zone: zoneOf(code).name,
		pantarlih: {
			name: row.name ?? '',
			phone: row.phone ? showPhone(viewer, row.phone) : ''
		},
		state: syncState(
			{
				code,
				target: row.target,
				verified: row.verified,
				pending: row.pending,
				firstSyncAt: row.first,
				lastSyncAt: row.last,
				progressAt: row.progress,
				pendingSince: row.pending_since
			},
			now,
			plan.settings
		),
		verified: row.verified,
		target: row.target,
		coverage: coverage(row.verified, row.target),
		share,
		gap: gapToTarget(row.verified, row.target, share),
		tms: row.tms,
		newVoters: row.new_voters,
		pending: row.pending,
		app: row.app,
		firstSyncAt: row.first,
		lastSyncAt: row.last,
		recordedAt: row.recorded,
		location: row.lat !== null && row.lng !== null ? { lat: row.lat, lng: row.lng } : null,
		heartbeats: extra.heartbeats,
		device:
			extra.token === null
				? null
				: { token: extra.token, issuedAt: extra.issued!, revokedAt: extra.revoked },
		alerts,
		followups,
		parents: breadcrumb(store, viewer, code)
	};
}

export interface ChronologyEntry {
	id: string;
	recordedAt: number;
	receivedAt: number;
	/** Seconds from the phone's clock to the server's receipt (backlogs show hours). */
	delaySeconds: number;
	verified: number;
	tms: number;
	newVoters: number;
	pending: number;
	effect: Effect;
	/** How many times the same heartbeat came again after it was stored. */
	resends: number;
	flags: string[];
	app: string | null;
	battery: number | null;
	location: { lat: number; lng: number } | null;
	device: { token: number; issuedAt: number | null; revokedAt: number | null };
}

export interface ChronologyPage {
	entries: ChronologyEntry[];
	/** Give as `after` for the next (older) page; null on the last. */
	next: string | null;
}

export const MAX_PAGE = 1_000;

/** A place in the chronology: received time, recorded time, id (the order it is read in). */
interface Position {
	r: number;
	t: number;
	i: string;
}
const isPosition = (v: unknown): v is Position =>
	typeof v === 'object' &&
	v !== null &&
	typeof (v as Position).r === 'number' &&
	typeof (v as Position).t === 'number' &&
	typeof (v as Position).i === 'string' &&
	/^[0-9a-f-]{36}$/.test((v as Position).i);

interface EntryRow {
	id: string;
	recorded_at: number;
	received_at: number;
	verified: number;
	tms: number;
	new_voters: number;
	pending: number;
	app: string | null;
	battery: number | null;
	lat: number | null;
	lng: number | null;
	token: number;
	issued: number | null;
	revoked: number | null;
	flags: string | null;
	resends: number;
}

/**
 * Every heartbeat of a TPS, newest received first, and within one receive time (a backlog sent
 * in one sync) newest recorded first, `limit` at a time: strictly "terbaru dulu".
 */
export async function chronology(
	views: ViewDeps,
	viewer: Principal,
	code: string,
	after: string | null,
	limit = 50
): Promise<ChronologyPage> {
	await tpsRow(views, viewer, code);
	if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE)
		throw new AppError('badLimit', { max: MAX_PAGE, given: String(limit) });
	const db: Database = views.db;
	const from = after ? await readCursor(db, after, isPosition) : null;
	const page = await rows<EntryRow>(
		db,
		sql`select h.id::text as id, ${epochMs(sql`h.recorded_at`)} as recorded_at,
				${epochMs(sql`h.received_at`)} as received_at, h.verified, h.tms, h.new_voters, h.pending,
				h.app, h.battery, h.lat, h.lng, h.device_token_id as token,
				${epochMs(sql`d.created_at`)} as issued, ${epochMs(sql`d.revoked_at`)} as revoked,
				(select string_agg(f.flags, ',') from heartbeat_flags f where f.heartbeat_id = h.id) as flags,
				(select count(*)::int from heartbeat_resends r where r.heartbeat_id = h.id) as resends
			from heartbeats h left join device_tokens d on d.id = h.device_token_id
			where h.tps_code = ${code}
				${from ? sql`and (h.received_at, h.recorded_at, h.id) < (to_timestamp(${from.r} / 1000.0), to_timestamp(${from.t} / 1000.0), ${from.i}::uuid)` : sql``}
			order by h.received_at desc, h.recorded_at desc, h.id desc
			limit ${limit + 1}`
	);
	const entries = page.slice(0, limit);
	// The snapshot that counted before the oldest of this page: the best of all received earlier.
	const oldest = entries.at(-1);
	const [before] = oldest
		? await rows<{ recorded_at: number; verified: number }>(
				db,
				sql`select ${epochMs(sql`recorded_at`)} as recorded_at, verified from heartbeats
					where tps_code = ${code}
						and (received_at, recorded_at, id) < (to_timestamp(${oldest.received_at} / 1000.0),
							to_timestamp(${oldest.recorded_at} / 1000.0), ${oldest.id}::uuid)
					order by recorded_at desc, verified desc limit 1`
			)
		: [];
	const did = effects(
		before ? { recordedAt: before.recorded_at, verified: before.verified } : null,
		entries.map((e) => ({
			id: e.id,
			recordedAt: e.recorded_at,
			receivedAt: e.received_at,
			verified: e.verified
		}))
	);
	return {
		entries: entries.map((e) => ({
			id: e.id,
			recordedAt: e.recorded_at,
			receivedAt: e.received_at,
			delaySeconds: Math.round((e.received_at - e.recorded_at) / 1000),
			verified: e.verified,
			tms: e.tms,
			newVoters: e.new_voters,
			pending: e.pending,
			effect: did.get(e.id)!,
			resends: e.resends,
			flags: e.flags ? [...new Set(e.flags.split(','))] : [],
			app: e.app,
			battery: e.battery,
			location: e.lat !== null && e.lng !== null ? { lat: e.lat, lng: e.lng } : null,
			device: { token: e.token, issuedAt: e.issued, revokedAt: e.revoked }
		})),
		next:
			page.length > limit
				? await issueCursor(db, {
						r: oldest!.received_at,
						t: oldest!.recorded_at,
						i: oldest!.id
					} satisfies Position)
				: null
	};
}

/** The chart's series: every heartbeat (a mark) and the counted snapshot over time (a step). */
export async function tpsSeries(views: ViewDeps, code: string) {
	const all = await rows<{
		id: string;
		recorded_at: number;
		received_at: number;
		verified: number;
	}>(
		views.db,
		sql`select id::text as id, ${epochMs(sql`recorded_at`)} as recorded_at,
				${epochMs(sql`received_at`)} as received_at, verified
			from heartbeats where tps_code = ${code} order by received_at desc, id desc limit 20000`
	);
	// The newest 20,000 (a TPS sends a few a day: the whole campaign), oldest first.
	all.reverse();
	const received = all.map((h) => ({
		id: h.id,
		recordedAt: h.recorded_at,
		receivedAt: h.received_at,
		verified: h.verified
	}));
	return {
		marks: all.map((h) => ({ at: h.recorded_at, verified: h.verified })),
		steps: countedSteps(received, effects(null, received))
	};
}
