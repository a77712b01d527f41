/**
 * The coordinator's follow-up list: every Pantarlih under a regency (or a district or village)
 * with their TPS, phone (masked for observers), last sync, progress, pending records, app version,
 * sync state (domain/activity.ts syncState, thresholds from the alert settings) and latest
 * follow-up note. Shared by the page and its CSV/XLSX download.
 */
import { sql } from 'drizzle-orm';
import { SYNC_STATES, syncState, type SyncState, type TpsActivity } from '../domain/activity';
import { FIELD_LEVELS } from '../domain/codes';
import { AppError } from '../domain/errors';
import { canWriteNotes, showPhone, type Principal } from '../domain/roles';
import { dayStart, localDate, zoneOf } from '../domain/calendar';
import { rows } from './db/client';
import { epochMs, withinRegion } from './db/sql';
import { regionFor } from './regions';
import type { ViewDeps } from './views';

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
	district?: string | null;
	village?: string | null;
	/** `senyap` (longest silence first, never-synced first) or `tps` (code order). */
	sort?: 'senyap' | 'tps';
}

interface Raw extends TpsActivity {
	app: string | null;
	name: string;
	phone: string;
	note: string | null;
	author: string | null;
	noteAt: number | null;
	contactedAt: number | null;
	contactedBy: string | null;
}

export async function pantarlihList(
	views: ViewDeps,
	viewer: Principal,
	code: string,
	filters: ListFilters = {}
) {
	const { store, db } = views;
	const region = regionFor(store, viewer, code);
	if (!FIELD_LEVELS.includes(region.level)) throw new AppError('listLevel');
	const now = views.now();
	const settings = views.plan().settings;
	const zone = zoneOf(code);
	const todayStart = dayStart(localDate(new Date(now), zone), zone);
	const list = await rows<Raw>(
		db,
		sql`select t.code, t.target, t.verified, t.pending, t.app, ${epochMs(sql`t.first_sync_at`)} as "firstSyncAt",
				${epochMs(sql`t.last_sync_at`)} as "lastSyncAt", ${epochMs(sql`t.progress_at`)} as "progressAt",
				${epochMs(sql`t.pending_since`)} as "pendingSince", p.name, p.phone,
				f.note, f.author, ${epochMs(sql`f.at`)} as "noteAt", ${epochMs(sql`c.at`)} as "contactedAt",
				c.author as "contactedBy"
			from tps t
			join pantarlih p on p.tps_code = t.code
			left join lateral (select note, author, at from followups where tps_code = t.code and note <> ''
				order by at desc limit 1) f on true
			left join lateral (select author, at from followups where tps_code = t.code and contacted
				order by at desc limit 1) c on true
			where ${withinRegion(sql`t.code`, code)}
			order by t.code`
	);
	const contact = canWriteNotes(viewer, code);
	const all: PantarlihRow[] = list.map((r) => {
		const villageCode = r.code.slice(0, 10);
		const districtCode = r.code.slice(0, 6);
		const villageName = store.get(villageCode)?.name ?? villageCode;
		const number = r.code.slice(10);
		return {
			tps: r.code,
			number,
			villageCode,
			villageName,
			districtCode,
			districtName: store.get(districtCode)?.name ?? districtCode,
			name: r.name,
			phone: showPhone(viewer, r.phone),
			whatsapp: contact
				? whatsappLink(r.phone, reminder({ name: r.name, number, villageName }))
				: null,
			tel: contact ? `tel:${r.phone}` : null,
			lastSyncAt: r.lastSyncAt,
			verified: r.verified,
			target: r.target,
			pending: r.pending,
			app: r.app,
			state: syncState(r, now, settings),
			note: r.note ? { text: r.note, author: r.author!, at: r.noteAt! } : null,
			lastContact:
				r.contactedAt !== null ? { author: r.contactedBy ?? '', at: r.contactedAt } : null,
			contactedToday: r.contactedAt !== null && r.contactedAt >= todayStart
		};
	});
	const inPlace = all.filter(
		(r) =>
			(!filters.district || r.districtCode === filters.district) &&
			(!filters.village || r.villageCode === filters.village)
	);
	const counts = Object.fromEntries(SYNC_STATES.map((s) => [s, 0])) as Record<SyncState, number>;
	for (const r of inPlace) counts[r.state] += 1;
	const shown = inPlace.filter((r) => !filters.state || r.state === filters.state);
	if ((filters.sort ?? 'senyap') === 'senyap') {
		shown.sort(
			(a, b) =>
				(a.lastSyncAt ?? -Infinity) - (b.lastSyncAt ?? -Infinity) || a.tps.localeCompare(b.tps)
		);
	}
	const districts = [...new Map(all.map((r) => [r.districtCode, r.districtName]))].map(
		([c, n]) => ({ code: c, name: n })
	);
	const villages = [
		...new Map(
			all
				.filter((r) => !filters.district || r.districtCode === filters.district)
				.map((r) => [r.villageCode, r.villageName])
		)
	].map(([c, n]) => ({ code: c, name: n }));
	return {
		region: { code: region.code, name: region.name, level: region.level },
		zone: zone.name,
		now,
		rows: shown,
		counts,
		total: inPlace.length,
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
