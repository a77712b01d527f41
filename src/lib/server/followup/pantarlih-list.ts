/**
 * The coordinator's follow-up list: every Pantarlih under a regency (or a district or village)
 * with their TPS, phone (masked for observers), last sync, progress, pending records, app version,
 * sync state (domain/activity.ts syncState, thresholds from the alert settings) and latest
 * follow-up note. Shared by the page and its CSV/XLSX download.
 */
import { sql } from 'drizzle-orm';
import { SYNC_STATES, SYNC_STATE_ORDER, type SyncState } from '../../domain/activity';
import { FIELD_LEVELS } from '../../domain/codes';
import { AppError } from '../../domain/errors';
import { canWriteNotes, showPhone, type Principal } from '../../domain/roles';
import { dayStart, localDate, zoneOf } from '../../domain/calendar';
import { rows } from '../platform/db/client';
import { epochMs, inList } from '../platform/db/sql';
import { regionFor } from '../views/regions';
import type { ViewDeps } from '../views/deps';

export interface PantarlihRow {
	tps: string;
	number: string;
	villageCode: string;
	villageName: string;
	districtCode: string;
	districtName: string;
	name: string;
	/** As the viewer may see it (masked for observers). */
	phone: string;
	/** wa.me (with a pre-filled reminder) and tel: links, only for those who may contact. */
	whatsapp: string | null;
	tel: string | null;
	lastSyncAt: number | null;
	verified: number;
	target: number;
	pending: number;
	app: string | null;
	state: SyncState;
	note: { text: string; author: string; at: number } | null;
	/** The last time someone marked the Pantarlih as contacted, and who. */
	lastContact: { author: string; at: number } | null;
	contactedToday: boolean;
}

export interface ListFilters {
	state?: SyncState | null;
	/** Any of these states (the region page's "call now" panel). */
	states?: readonly SyncState[];
	district?: string | null;
	village?: string | null;
	/** `senyap` (longest silence first, never-synced first) or `tps` (code order). */
	sort?: 'senyap' | 'tps';
}

interface Details {
	code: string;
	app: string | null;
	name: string;
	phone: string;
	note: string | null;
	author: string | null;
	noteAt: number | null;
	contactedAt: number | null;
	contactedBy: string | null;
}

/** Which rows of the (filtered, sorted) list to build in full: a page, or all for a download. */
export interface Slice {
	offset: number;
	limit: number;
}

/**
 * The list, filtered and sorted from the in-memory activity index (states, last syncs and counts
 * of every TPS, kept live by the event bus), with names, phones, app versions and notes read from
 * the database for the rows of `slice` only: a regency of 20,000 TPS costs one scan of memory and
 * one query of 200 rows.
 */
export async function pantarlihList(
	views: ViewDeps,
	viewer: Principal,
	code: string,
	filters: ListFilters = {},
	slice: Slice = { offset: 0, limit: Number.MAX_SAFE_INTEGER }
) {
	const { store, db, activity } = views;
	const region = regionFor(store, viewer, code);
	if (!FIELD_LEVELS.includes(region.level)) throw new AppError('listLevel');
	const now = views.now();
	const settings = views.plan().settings;
	const zone = zoneOf(code);
	const todayStart = dayStart(localDate(new Date(now), zone), zone);

	// One pass over the region's TPS in memory: state, counts, the filter.
	const [from, to] = activity.range(code);
	const counts = Object.fromEntries(SYNC_STATE_ORDER.map((s) => [s, 0])) as Record<
		SyncState,
		number
	>;
	// A district or village filter narrows the range (a code outside the region leaves nothing).
	const place =
		[filters.village, filters.district].find((p): p is string => !!p && /^\d{6,10}$/.test(p)) ??
		(filters.village || filters.district ? '9999999999' : null);
	const [placeFrom, placeTo] = place ? activity.range(place) : [from, to];
	const shown: { i: number; state: SyncState; lastSync: number }[] = [];
	for (let i = Math.max(from, placeFrom); i < Math.min(to, placeTo); i++) {
		const state = activity.stateAt(i, now, settings);
		counts[state] += 1;
		if (filters.state && state !== filters.state) continue;
		if (filters.states && !filters.states.includes(state)) continue;
		shown.push({ i, state, lastSync: activity.lastSyncAt(i) ?? -Infinity });
	}
	const total = Math.max(0, Math.min(to, placeTo) - Math.max(from, placeFrom));
	// Longest silence first (never synced first of all), then code order; or code order.
	if ((filters.sort ?? 'senyap') === 'senyap')
		shown.sort((a, b) => a.lastSync - b.lastSync || a.i - b.i);
	const page = shown.slice(slice.offset, slice.offset + slice.limit);

	const details = new Map<string, Details>();
	const codes = page.map((p) => activity.codeOf(p.i));
	for (let k = 0; k < codes.length; k += 5_000) {
		const chunk = codes.slice(k, k + 5_000);
		const found = await rows<Details>(
			db,
			sql`select t.code, t.app, p.name, p.phone,
					f.note, f.author, ${epochMs(sql`f.at`)} as "noteAt",
					${epochMs(sql`c.at`)} as "contactedAt", c.author as "contactedBy"
				from tps t
				join pantarlih p on p.tps_code = t.code
				left join lateral (select note, author, at from followups where tps_code = t.code and note <> ''
					order by at desc limit 1) f on true
				left join lateral (select author, at from followups where tps_code = t.code and contacted
					order by at desc limit 1) c on true
				where ${inList(sql`t.code`, chunk)}`
		);
		for (const d of found) details.set(d.code, d);
	}

	const contact = canWriteNotes(viewer, code);
	const list: PantarlihRow[] = [];
	for (const p of page) {
		const t = activity.row(p.i);
		const d = details.get(t.code);
		if (!d) continue; // a TPS without a Pantarlih row (not in the roster)
		const villageCode = t.code.slice(0, 10);
		const districtCode = t.code.slice(0, 6);
		const villageName = store.get(villageCode)?.name ?? villageCode;
		const number = t.code.slice(10);
		list.push({
			tps: t.code,
			number,
			villageCode,
			villageName,
			districtCode,
			districtName: store.get(districtCode)?.name ?? districtCode,
			name: d.name,
			phone: showPhone(viewer, d.phone),
			whatsapp: contact
				? whatsappLink(d.phone, reminder({ name: d.name, number, villageName }))
				: null,
			tel: contact ? `tel:${d.phone}` : null,
			lastSyncAt: t.lastSyncAt,
			verified: t.verified,
			target: t.target,
			pending: t.pending,
			app: d.app,
			state: p.state,
			note: d.note ? { text: d.note, author: d.author!, at: d.noteAt! } : null,
			lastContact:
				d.contactedAt !== null ? { author: d.contactedBy ?? '', at: d.contactedAt } : null,
			contactedToday: d.contactedAt !== null && d.contactedAt >= todayStart
		});
	}

	// The places to filter by: the districts of the region, the villages of the district chosen.
	const childrenOf = (parent: string) =>
		store.children(parent).map((c) => ({ code: c.code, name: c.name }));
	const districts = region.level === 'regency' ? childrenOf(code) : [];
	const chosen = filters.district && filters.district.startsWith(code) ? filters.district : null;
	const villages =
		region.level === 'district'
			? childrenOf(code)
			: region.level === 'regency'
				? chosen
					? childrenOf(chosen)
					: districts.flatMap((d) => childrenOf(d.code))
				: [];
	return {
		region: { code: region.code, name: region.name, level: region.level },
		zone: zone.name,
		now,
		rows: list,
		/** How many rows the filters leave (the page shows `rows`, a slice of them). */
		shown: shown.length,
		counts,
		total,
		districts,
		villages,
		canContact: contact,
		silentHours: settings.silentHours,
		thresholds: { ...settings }
	};
}

/** The list's filters from the page's (or download's) query string. */
export function filtersFrom(url: URL) {
	const state = url.searchParams.get('status');
	return {
		state: SYNC_STATES.includes(state as SyncState) ? (state as SyncState) : null,
		district: url.searchParams.get('kecamatan') || null,
		village: url.searchParams.get('desa') || null,
		sort: url.searchParams.get('urut') === 'tps' ? ('tps' as const) : ('senyap' as const)
	};
}

/** The reminder a coordinator sends by WhatsApp, naming the TPS. */
export function reminder(row: Pick<PantarlihRow, 'name' | 'number' | 'villageName'>): string {
	return (
		`Yth. Bapak/Ibu ${row.name}, Pantarlih TPS ${row.number} ${row.villageName}: ` +
		'mohon segera buka aplikasi e-Coklit dan sinkronkan data coklit hari ini. ' +
		'Jika ada kendala, balas pesan ini. Terima kasih.'
	);
}

/** wa.me wants the number in international form without "+". */
export const whatsappLink = (phone: string, text: string) =>
	`https://wa.me/${phone.replace(/\D/g, '')}?text=${encodeURIComponent(text)}`;
