// GET /api/v1/regions/<code>/heartbeats?date=YYYY-MM-DD[&format=ndjson|csv]: every heartbeat the
// region received that local day, streamed a page at a time (a million rows never sit in memory).
// NDJSON (district level and below) is one canonical line per heartbeat: its SHA-256 is the
// village's evidence digest (README, "Evidence"); CSV works at any level. Each download is audited.
import { stringify } from 'csv-stringify/sync';
import { regionLevel } from '$lib/domain/codes';
import { canonicalLine, type EvidenceRow } from '$lib/domain/evidence';
import { AppError } from '$lib/domain/errors';
import { heartbeatsOfDay } from '$lib/server/evidence/day';
import { guard } from '$lib/server/platform/http/errors';
import { dateParam } from '$lib/server/platform/http/params';
import { regionFor } from '$lib/server/views/regions';
import { reportDate } from '$lib/server/views/report';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { noteDownload } from '$lib/server/accounts/session-verbs';
import { csvField, defuse, zoneWallClock } from '$lib/server/platform/http/table-export';
import { isoTime, zoneOf } from '$lib/domain/calendar';
import type { RequestHandler } from './$types';

const CSV_HEADER = [
	'id',
	'kode_tps',
	'waktu_ponsel_utc',
	'waktu_diterima_utc',
	'waktu_diterima_setempat',
	'terverifikasi',
	'tms',
	'pemilih_baru',
	'tertunda',
	'versi_aplikasi',
	'baterai',
	'lat',
	'lng',
	'token_perangkat'
];

const NDJSON_LEVELS = ['district', 'village'];

export const GET: RequestHandler = guard(async ({ params, locals, url, getClientAddress }) => {
	const running = await services();
	const viewer = locals.user!;
	const code = params.code;
	regionFor(running.store, viewer, code);
	const format = url.searchParams.get('format') ?? 'ndjson';
	if (format !== 'ndjson' && format !== 'csv')
		throw new AppError('badFormat', { allowed: 'ndjson, csv' });
	if (format === 'ndjson' && !NDJSON_LEVELS.includes(regionLevel(code) ?? ''))
		throw new AppError('streamLevel', { code });
	const date = reportDate(running.views, code, dateParam(url, 'date'));
	await noteDownload(running.handle.db, actorOf(viewer, getClientAddress()), {
		action: `export.heartbeats.${format}`,
		subject: `wilayah ${code} ${date}`,
		region: code
	});
	const provinces = async () => running.store.children('id').map((p) => p.code);
	const pages = heartbeatsOfDay(running.handle.db, code, date, provinces);
	const encoder = new TextEncoder();
	// A line is joined by hand: csv-stringify, called per row, took a fifth of a regency's stream;
	// only the app's text can hold a comma or a quote. The local time is the TPS's own zone's (the
	// nation's day spans three).
	const csvLine = (h: EvidenceRow) =>
		[
			h.id,
			h.tps,
			isoTime(h.recordedAt),
			isoTime(h.receivedAt),
			`${zoneWallClock(h.receivedAt, zoneOf(h.tps).name)} ${zoneOf(h.tps).name}`,
			h.verified,
			h.tms,
			h.newVoters,
			h.pending,
			csvField(defuse(h.app ?? '')),
			h.battery ?? '',
			h.lat ?? '',
			h.lng ?? '',
			h.deviceToken
		].join(',') + '\n';
	let started = false;
	const body = new ReadableStream<Uint8Array>({
		async pull(controller) {
			if (!started && format === 'csv') {
				// A byte-order mark, so that spreadsheets read the names as UTF-8.
				controller.enqueue(encoder.encode('\ufeff' + stringify([CSV_HEADER])));
			}
			started = true;
			const next = await pages.next();
			if (next.done) return controller.close();
			const text = next.value.map(format === 'csv' ? csvLine : canonicalLine).join('');
			controller.enqueue(encoder.encode(text));
		},
		async cancel() {
			await pages.return(undefined);
		}
	});
	const name = `heartbeats-${code}-${date}.${format === 'csv' ? 'csv' : 'ndjson'}`;
	return new Response(body, {
		headers: {
			'content-type':
				format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
			'content-disposition': `attachment; filename="${name}"`,
			'cache-control': 'no-store',
			'x-zone': zoneOf(code).name
		}
	});
});
