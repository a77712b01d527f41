// GET /wilayah/<code>/pantarlih/unduh?format=csv|xlsx (&status, kecamatan, desa, urut): the
// filtered follow-up list, with the same phone masking as the page; each download is audited.
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { AppError } from '$lib/domain/errors';
import { audit } from '$lib/server/auth/audit';
import { guard } from '$lib/server/http/errors';
import { actorOf } from '$lib/server/verbs/actor';
import { filtersFrom, pantarlihList } from '$lib/server/pantarlih';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

const HEADER = [
	'TPS',
	'Desa/Kelurahan',
	'Kecamatan',
	'Pantarlih',
	'Telepon',
	'Status sinkron',
	'Sinkron terakhir',
	'Terverifikasi',
	'Target',
	'Tertunda di ponsel',
	'Versi aplikasi',
	'Catatan terakhir'
];

export const GET: RequestHandler = guard(async ({ params, locals, url, getClientAddress }) => {
	const format = url.searchParams.get('format') ?? 'csv';
	if (format !== 'csv' && format !== 'xlsx')
		throw new AppError('badFormat', { allowed: 'csv, xlsx' });
	const running = await services();
	const list = await pantarlihList(running.views, locals.user!, params.code, filtersFrom(url));
	const table = list.rows.map((r) => [
		r.tps,
		r.villageName,
		r.districtName,
		r.name,
		r.phone,
		r.state,
		r.lastSyncAt === null ? '' : new Date(r.lastSyncAt).toISOString(),
		r.verified,
		r.target,
		r.pending,
		r.app ?? '',
		r.note?.text ?? ''
	]);
	await audit(running.handle.db, actorOf(locals.user!, getClientAddress()), {
		action: `export.pantarlih.${format}`,
		subject: `wilayah ${params.code}`,
		after: { rows: table.length, filters: Object.fromEntries(url.searchParams) }
	});
	const name = `pantarlih-${params.code}`;
	if (format === 'csv') {
		return new Response(stringify([HEADER, ...table]), {
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="${name}.csv"`,
				'cache-control': 'no-store'
			}
		});
	}
	const book = new ExcelJS.Workbook();
	const sheet = book.addWorksheet('Pantarlih');
	sheet.addRow(HEADER).font = { bold: true };
	for (const row of table) sheet.addRow(row);
	sheet.columns.forEach((column) => (column.width = 18));
	const buffer = await book.xlsx.writeBuffer();
	return new Response(buffer as ArrayBuffer, {
		headers: {
			'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
			'content-disposition': `attachment; filename="${name}.xlsx"`,
			'cache-control': 'no-store'
		}
	});
});
