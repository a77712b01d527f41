// GET /wilayah/<code>/laporan/unduh?format=pdf|xlsx&tanggal=YYYY-MM-DD: the rakor report as an A4
// PDF (the report page printed by headless Chromium) or its tables as XLSX. Every download is
// in the audit log.
import ExcelJS from 'exceljs';
import { SYNC_STATES } from '$lib/domain/activity';
import { sessionCookieName } from '$lib/server/auth/session';
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/http/errors';
import { dateParam } from '$lib/server/http/params';
import { printPdf } from '$lib/server/pdf';
import { regionFor } from '$lib/server/regions';
import { actorOf } from '$lib/server/verbs/actor';
import { noteDownload } from '$lib/server/verbs/sessions';
import { report, type Report } from '$lib/server/report';
import { services } from '$lib/server/runtime';
import { translator } from '$lib/i18n';
import { formatZoneTime } from '$lib/format';
import type { RequestHandler } from './$types';

const t = translator('id');

async function workbook(r: Report): Promise<ArrayBuffer> {
	const book = new ExcelJS.Workbook();
	book.creator = 'Pantau Coklit';
	const sheet = (name: string, header: string[], rows: (string | number | null)[][]) => {
		const s = book.addWorksheet(name);
		s.addRow(header).font = { bold: true };
		for (const row of rows) s.addRow(row);
		s.columns.forEach((column) => (column.width = 16));
		s.getColumn(1).width = 28;
	};
	const ratio = (a: number, b: number) => (b > 0 ? Math.round((a / b) * 10_000) / 10_000 : null);
	sheet(
		'Ringkasan',
		['Butir', 'Nilai'],
		[
			['Wilayah', `${r.region.name} (${r.region.code})`],
			['Tanggal', `${r.date} (${r.zone})`],
			['Hari', `${r.day} dari ${r.days}`],
			['Status', r.final ? `dibekukan ${r.takenAt}` : 'sementara (hari ini)'],
			['Terverifikasi', r.region.verified],
			['Target pemilih', r.region.target],
			['Cakupan', ratio(r.region.verified, r.region.target)],
			['Target hari itu', r.region.share],
			['Cakupan kemarin', r.previous ? ratio(r.previous.verified, r.previous.target) : null],
			['Kekurangan (pemilih)', r.region.gap],
			['TPS sinkron hari itu', r.region.syncedToday],
			['TPS', r.region.tps],
			['Proyeksi selesai', r.region.forecast?.finish ?? null],
			['Berisiko', r.region.forecast ? (r.region.forecast.atRisk ? 'ya' : 'tidak') : null],
			['Data simulasi', r.simulated ? 'ya' : 'tidak'],
			['Dibuat', r.generatedAt]
		]
	);
	sheet(
		'Wilayah',
		[
			'Kode',
			'Nama',
			'TPS',
			'Target',
			'Terverifikasi',
			'Cakupan',
			'Target hari itu',
			'Kekurangan',
			'Proyeksi selesai',
			'Berisiko'
		],
		r.children.map((c) => [
			c.code,
			c.name,
			c.tps,
			c.target,
			c.verified,
			ratio(c.verified, c.target),
			c.share,
			c.gap,
			c.forecast?.finish ?? null,
			c.forecast ? (c.forecast.atRisk ? 'ya' : 'tidak') : null
		])
	);
	sheet(
		'Status Pantarlih',
		['Status sinkron', 'Pantarlih'],
		r.states ? SYNC_STATES.map((s) => [t(`pantarlih.state.${s}`), r.states![s]]) : []
	);
	sheet(
		'Peringatan',
		['Aturan', 'Terbuka'],
		r.alerts.map((a) => [t(`alerts.rule.${a.rule}`), a.count])
	);
	sheet(
		'TPS terjauh',
		['TPS', 'Desa/Kelurahan', 'Terverifikasi', 'Target', 'Kekurangan', 'Status sinkron'],
		(r.largestGaps ?? []).map((g) => [
			g.code,
			g.villageName,
			g.verified,
			g.target,
			g.gap,
			t(`pantarlih.state.${g.state}`)
		])
	);
	return (await book.xlsx.writeBuffer()) as ArrayBuffer;
}

export const GET: RequestHandler = guard(
	async ({ params, locals, url, cookies, getClientAddress }) => {
		const running = await services();
		const viewer = locals.user!;
		regionFor(running.store, viewer, params.code);
		const format = url.searchParams.get('format');
		if (format !== 'pdf' && format !== 'xlsx')
			throw new AppError('badFormat', { allowed: 'pdf, xlsx' });
		const r = await report(running.views, viewer, params.code, dateParam(url));
		const name = `laporan-rakor-${r.region.code}-${r.date}.${format}`;
		let body: ArrayBuffer | Uint8Array;
		if (format === 'pdf') {
			const session = cookies.get(sessionCookieName);
			if (!session) throw new AppError('pdfNeedsSession');
			body = await printPdf({
				path: `/wilayah/${r.region.code}/laporan?tanggal=${r.date}`,
				origin: url.origin,
				session,
				footer: `Pantau Coklit · ${r.region.name} · ${r.date} · ${t('report.printedBy', {
					name: viewer.name,
					time: formatZoneTime(r.generatedAt, r.zone)
				})}`
			});
		} else {
			body = await workbook(r);
		}
		await noteDownload(running.handle.db, actorOf(viewer, getClientAddress()), {
			action: `export.report.${format}`,
			subject: `wilayah ${r.region.code}`,
			region: r.region.code,
			after: { date: r.date, final: r.final }
		});
		return new Response(body as BodyInit, {
			headers: {
				'content-type':
					format === 'pdf'
						? 'application/pdf'
						: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
				'content-disposition': `attachment; filename="${name}"`,
				'cache-control': 'no-store'
			}
		});
	}
);
