// GET /wilayah/<code>/csv?urut=<column>&arah=naik|turun&cari=<name>&tanggal=<date>: the children
// table as CSV, the same rows in the same order as on the page, in the viewer's language. Every
// download is in the audit log.
import { stringify } from 'csv-stringify/sync';
import { COLUMNS, arrange, isColumn } from '$lib/children-table';
import { coverage } from '$lib/domain/coverage';
import { requestTranslator } from '$lib/i18n';
import { audit } from '$lib/server/auth/audit';
import { dashboard } from '$lib/server/dashboard';
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/http/errors';
import { dateParam } from '$lib/server/http/params';
import { actorOf } from '$lib/server/verbs/actor';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(
	async ({ params, locals, url, cookies, getClientAddress }) => {
		const column = url.searchParams.get('urut') ?? 'code';
		if (!isColumn(column)) throw new AppError('badFilter', { name: 'urut', value: column });
		const direction = url.searchParams.get('arah') ?? 'naik';
		if (direction !== 'naik' && direction !== 'turun')
			throw new AppError('badFilter', { name: 'arah', value: direction });
		const date = dateParam(url);
		const running = await services();
		const view = await dashboard(running.views, locals.user!, params.code, date);
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
		await audit(running.handle.db, actorOf(locals.user!, getClientAddress()), {
			action: 'export.csv',
			subject: `wilayah ${params.code}${date ? ` ${date}` : ''}`,
			after: { rows: rows.length, sort: column, direction }
		});
		return new Response(csv, {
			headers: {
				'content-type': 'text/csv; charset=utf-8',
				'content-disposition': `attachment; filename="pantau-coklit-${params.code}${date ? `-${date}` : ''}.csv"`,
				'cache-control': 'no-store'
			}
		});
	}
);
