// GET /wilayah/<code>/laporan/unduh?format=pdf|xlsx&tanggal=YYYY-MM-DD: the rakor report as an A4
// PDF (the report page printed by headless Chromium) or its tables as XLSX, in the reader's
// language, every time in the region's zone. Every download is in the audit log.
import { SYNC_STATE_ORDER } from '$lib/domain/activity';
import { zoneOf } from '$lib/domain/calendar';
import { coverage } from '$lib/domain/coverage';
import { finishState } from '$lib/domain/status';
import { sessionCookieName } from '$lib/server/accounts/session';
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/platform/http/errors';
import { dateParam } from '$lib/server/platform/http/params';
import { xlsxWorkbook, type Cell, type Table } from '$lib/server/platform/http/table-export';
import { printPdf } from '$lib/server/platform/pdf';
import { regionFor } from '$lib/server/views/regions';
import { actorOf } from '$lib/server/accounts/actor';
import { noteDownload } from '$lib/server/accounts/session-verbs';
import { report, type Report } from '$lib/server/views/report';
import { services } from '$lib/server/runtime';
import { requestTranslator, type Translate } from '$lib/i18n';
import { formatZoneTime } from '$lib/format';
import { paceKey } from '$lib/region-view';
import type { RequestHandler } from './$types';

/** The finish date as a date cell, or what stands for it in words. */
function finishCell(header: string, r: Report['region'], t: Translate): Cell {
	const state = finishState(r.forecast);
	if (!state) return { header, value: null };
	if (state.kind === 'date') return { header, value: state.date, kind: 'date' };
	return {
		header,
		value: t(state.kind === 'noPace' ? 'region.forecastNoPace' : 'report.noFinish')
	};
}

/**
 * The report's tables as one workbook in the reader's language: the summary as label and value
 * rows (each value a number, percentage, date or time in the region's zone), then the regions,
 * the Pantarlih states, the alerts and the TPS furthest behind.
 */
function workbook(r: Report, t: Translate, by: string): Promise<ArrayBuffer> {
	const zone = zoneOf(r.region.code).name;
	const x = (key: string) => t(`report.workbook.${key}`);
	const item = (label: string, value: Cell['value'], kind?: Cell['kind']): Cell[] => [
		{ header: x('item'), value: label },
		{ header: x('value'), value, kind }
	];
	const live = !r.final;
	const summary: Cell[][] = [
		item(x('region'), `${r.region.name} (${r.region.code})`),
		item(x('date'), r.date, 'date'),
		item(x('zone'), zone),
		item(x('day'), r.day, 'int'),
		item(x('days'), r.days, 'int'),
		item(x('status'), r.final ? x('final') : x('provisional')),
		...(r.takenAt ? [item(x('frozenAt'), Date.parse(r.takenAt), 'time')] : []),
		...(r.reason ? [item(x('correction'), r.reason)] : []),
		item(t('table.verified'), r.region.verified, 'int'),
		item(t('table.target'), r.region.target, 'int'),
		item(t('report.coverage'), coverage(r.region.verified, r.region.target), 'percent'),
		item(t('report.dayTarget'), r.region.share, 'percent'),
		item(
			x('previous'),
			r.previous ? coverage(r.previous.verified, r.previous.target) : null,
			'percent'
		),
		item(t('report.gap'), r.region.gap, 'int'),
		item(t('report.syncedThatDay'), r.region.syncedToday, 'int'),
		item(t('table.tps'), r.region.tps, 'int'),
		[{ header: x('item'), value: t('report.finish') }, finishCell(x('value'), r.region, t)],
		item(t('report.status'), t(paceKey(r.region.status, live))),
		item(x('simulated'), r.simulated ? x('yes') : x('no')),
		item(x('generated'), Date.parse(r.generatedAt), 'time'),
		item(x('by'), by)
	];
	const regions: Cell[][] = r.children.map((c) => [
		{ header: t('table.code'), value: c.code, kind: 'text' },
		{ header: t('table.name'), value: c.name },
		{ header: t('table.tps'), value: c.tps, kind: 'int' },
		{ header: t('table.target'), value: c.target, kind: 'int' },
		{ header: t('table.verified'), value: c.verified, kind: 'int' },
		{ header: t('report.coverage'), value: coverage(c.verified, c.target), kind: 'percent' },
		{ header: t('report.dayTarget'), value: c.share, kind: 'percent' },
		{ header: t('report.gap'), value: c.gap, kind: 'int' },
		{ header: t('report.syncedThatDay'), value: c.syncedToday, kind: 'int' },
		finishCell(t('report.finish'), c, t),
		{ header: t('report.status'), value: t(paceKey(c.status, live)) }
	]);
	const sheets: Table[] = [
		{ name: '', sheet: x('summary'), zone, rows: summary },
		{ name: '', sheet: x('regions'), zone, rows: regions, headers: [t('table.code')] },
		{
			name: '',
			sheet: x('states'),
			zone,
			rows: r.states
				? SYNC_STATE_ORDER.map((s) => [
						{ header: t('table.state'), value: t(`pantarlih.state.${s}`) },
						{ header: t('table.pantarlih'), value: r.states![s], kind: 'int' as const }
					])
				: [],
			headers: [t('table.state'), t('table.pantarlih')]
		},
		{
			name: '',
			sheet: x('alerts'),
			zone,
			rows: r.alerts.map((a) => [
				{ header: x('rule'), value: t(`alerts.rule.${a.rule}`) },
				{ header: x('open'), value: a.count, kind: 'int' as const }
			]),
			headers: [x('rule'), x('open')]
		},
		{
			name: '',
			sheet: x('largest'),
			zone,
			rows: (r.largestGaps ?? []).map((g) => [
				{ header: t('table.code'), value: g.code, kind: 'text' as const },
				{ header: t('report.village'), value: g.villageName },
				{ header: t('table.verified'), value: g.verified, kind: 'int' as const },
				{ header: t('table.target'), value: g.target, kind: 'int' as const },
				{ header: t('report.gap'), value: g.gap, kind: 'int' as const },
				{ header: t('table.state'), value: t(`pantarlih.state.${g.state}`) }
			]),
			headers: [t('table.code'), t('report.village')]
		}
	];
	return xlsxWorkbook(sheets);
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
		const t = requestTranslator(cookies);
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
			body = await workbook(r, t, viewer.name);
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
