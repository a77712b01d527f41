// GET /wilayah/<code>/csv?urut=<column>&arah=naik|turun&cari=<name>&tanggal=<date>: the children
// table as CSV, the same rows in the same order as on the page, in the viewer's language. Every
// download is in the audit log.
import { error } from '@sveltejs/kit';
import { stringify } from 'csv-stringify/sync';
import { COLUMNS, arrange, isColumn } from '$lib/children-table';
import { isLocalDate } from '$lib/domain/calendar';
import { coverage } from '$lib/domain/coverage';
import { requestTranslator } from '$lib/i18n';
import { audit } from '$lib/server/auth/audit';
import { dashboard } from '$lib/server/dashboard';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = async ({ params, locals, url, cookies, getClientAddress }) => {
	const column = url.searchParams.get('urut') ?? 'code';
	if (!isColumn(column))
		error(400, `urut must be one of the table's columns, not ${JSON.stringify(column)}`);
	const direction = url.searchParams.get('arah') ?? 'naik';
	if (direction !== 'naik' && direction !== 'turun') error(400, 'arah must be naik or turun');
	const date = url.searchParams.get('tanggal');
	if (date !== null && !isLocalDate(date)) error(400, 'tanggal must be a real date as YYYY-MM-DD');
	const running = await services();
	const view = await dashboard(running, locals.user!, params.code, date);
	const rows = arrange(
		view.children,
		column,
		direction === 'turun',
		url.searchParams.get('cari') ?? ''
	);
	const t = requestTranslator(cookies);
	// The page's columns; the forecast (finish, at risk) only for live numbers.
	const header = COLUMNS.filter((c) => c !== 'finish');
	const csv = stringify([
		[
			...header.map((h) => t(`table.${h}`)),
			...(date ? [] : [t('table.finish'), t('region.atRisk')])
		],
		...rows.map((r) => [
			r.code,
			r.name,
			r.tps,
			r.target,
			r.verified,
			coverage(r.verified, r.target)?.toFixed(4) ?? '',
			r.gap,
			r.syncedToday,
			r.silent,
			...(date ? [] : [r.forecast?.finish ?? '', r.forecast?.atRisk ? 1 : 0])
		])
	]);
	await audit(running.handle.db, {
		userId: locals.user!.readOnly ? null : locals.user!.id,
		actor: locals.user!.email,
		action: 'export.csv',
		subject: `wilayah ${params.code}${date ? ` ${date}` : ''}`,
		after: { rows: rows.length, sort: column, direction },
		ip: getClientAddress()
	});
	return new Response(csv, {
		headers: {
			'content-type': 'text/csv; charset=utf-8',
			'content-disposition': `attachment; filename="pantau-coklit-${params.code}${date ? `-${date}` : ''}.csv"`,
			'cache-control': 'no-store'
		}
	});
};
