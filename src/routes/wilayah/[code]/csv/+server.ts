// GET /wilayah/<code>/csv?urut=<column>&arah=naik|turun&cari=<name>&tanggal=<date>&format=csv|xlsx:
// the children table, the same rows in the same order as on the page (a village: its TPS), in the
// viewer's language. XLSX is the table to work with (numbers as numbers, codes as text, the
// coverage as a percentage, finish dates as dates); CSV carries a byte-order mark so spreadsheets
// read it as UTF-8. Every download is in the audit log.
import { COLUMNS, arrange, arrangeTps, isColumn, isTpsColumn } from '$lib/children-table';
import { onDay, paceKey } from '$lib/region-view';
import { zoneOf } from '$lib/domain/calendar';
import { coverage } from '$lib/domain/coverage';
import { AppError } from '$lib/domain/errors';
import { requestTranslator } from '$lib/i18n';
import { dashboard } from '$lib/server/views/dashboard';
import { guard } from '$lib/server/platform/http/errors';
import { dateParam } from '$lib/server/platform/http/params';
import { tableResponse, type Cell } from '$lib/server/platform/http/table-export';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { noteDownload } from '$lib/server/accounts/session-verbs';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(
	async ({ params, locals, url, cookies, getClientAddress }) => {
		const column = url.searchParams.get('urut') ?? 'code';
		// A village's table is its TPS, with columns of their own.
		if (!isColumn(column) && !isTpsColumn(column))
			throw new AppError('badFilter', { name: 'urut', value: column });
		const direction = url.searchParams.get('arah') ?? 'naik';
		if (direction !== 'naik' && direction !== 'turun')
			throw new AppError('badFilter', { name: 'arah', value: direction });
		const format = url.searchParams.get('format') ?? 'csv';
		if (format !== 'csv' && format !== 'xlsx')
			throw new AppError('badFormat', { allowed: 'csv, xlsx' });
		const date = dateParam(url);
		const running = await services();
		const view = await dashboard(running.views, locals.user!, params.code, date);
		const t = requestTranslator(cookies);
		const zone = zoneOf(params.code).name;
		let table: Cell[][];
		if (view.tps) {
			const order = isTpsColumn(column) ? column : 'number';
			table = arrangeTps(view.tps, order, direction === 'turun').map((r) => [
				{ header: t('table.code'), value: r.code, kind: 'text' },
				{ header: t('table.number'), value: r.number, kind: 'text' },
				{ header: t('table.pantarlih'), value: r.pantarlih },
				{ header: t('table.verified'), value: r.verified, kind: 'int' },
				{ header: t('table.target'), value: r.target, kind: 'int' },
				{ header: t('table.coverage'), value: coverage(r.verified, r.target), kind: 'percent' },
				{ header: t('table.gap'), value: r.gap, kind: 'int' },
				{ header: t('table.state'), value: t(`pantarlih.state.${r.state}`) },
				{ header: `${t('table.lastSync')} (${zone})`, value: r.lastSyncAt, kind: 'time' }
			]);
		} else {
			if (!isColumn(column)) throw new AppError('badFilter', { name: 'urut', value: column });
			const rows = arrange(
				view.children,
				column,
				direction === 'turun',
				url.searchParams.get('cari') ?? ''
			);
			const header = COLUMNS.filter((c) => c !== 'finish' && c !== 'status');
			const label = (c: string) =>
				t(onDay(`table.${c === 'silent' ? 'silentShort' : c}`, date === null));
			table = rows.map((r) => [
				...header.map((c): Cell =>
					c === 'code' || c === 'name'
						? { header: label(c), value: r[c], kind: 'text' }
						: c === 'coverage'
							? { header: label(c), value: coverage(r.verified, r.target), kind: 'percent' }
							: { header: label(c), value: r[c], kind: 'int' }
				),
				{ header: t('table.status'), value: t(paceKey(r.status, date === null)) },
				...(date
					? []
					: [
							{
								header: t('table.finish'),
								value: r.forecast?.finish ?? null,
								kind: 'date' as const
							}
						])
			]);
		}
		await noteDownload(running.handle.db, actorOf(locals.user!, getClientAddress()), {
			action: `export.${format}`,
			subject: `wilayah ${params.code}${date ? ` ${date}` : ''}`,
			region: params.code,
			after: { rows: table.length, sort: column, direction }
		});
		const name = `pantau-coklit-${params.code}${date ? `-${date}` : ''}`;
		return tableResponse({ name, sheet: view.region.name, zone, rows: table }, format);
	}
);
