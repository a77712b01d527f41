// GET /wilayah/<code>/pantarlih/unduh?format=xlsx|csv (&status, kecamatan, desa, urut): the
// filtered follow-up list as on the page, in the viewer's language, with the same phone masking;
// times in the region's zone (named in the header), states in words, codes and phones as text,
// the last note and the last contact with who and when. Each download is in the audit log.
import { AppError } from '$lib/domain/errors';
import { requestTranslator } from '$lib/i18n';
import { guard } from '$lib/server/platform/http/errors';
import { tableResponse, type Cell } from '$lib/server/platform/http/table-export';
import { filtersFrom, pantarlihList } from '$lib/server/followup/pantarlih-list';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { noteDownload } from '$lib/server/accounts/session-verbs';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(
	async ({ params, locals, url, cookies, getClientAddress }) => {
		const format = url.searchParams.get('format') ?? 'xlsx';
		if (format !== 'csv' && format !== 'xlsx')
			throw new AppError('badFormat', { allowed: 'xlsx, csv' });
		const running = await services();
		const list = await pantarlihList(running.views, locals.user!, params.code, filtersFrom(url));
		const t = requestTranslator(cookies);
		const zone = list.zone;
		const rows = list.rows.map((r): Cell[] => [
			{ header: t('table.code'), value: r.tps, kind: 'text' },
			{ header: 'TPS', value: r.number, kind: 'text' },
			{ header: t('level.village'), value: r.villageName, kind: 'text' },
			{ header: t('level.district'), value: r.districtName, kind: 'text' },
			{ header: 'Pantarlih', value: r.name, kind: 'text' },
			{ header: t('pantarlih.phone'), value: r.phone, kind: 'text' },
			{ header: t('pantarlih.stateColumn'), value: t(`pantarlih.state.${r.state}`) },
			{ header: `${t('pantarlih.lastSync')} (${zone})`, value: r.lastSyncAt, kind: 'time' },
			{ header: t('table.verified'), value: r.verified, kind: 'int' },
			{ header: t('table.target'), value: r.target, kind: 'int' },
			{ header: t('pantarlih.pending'), value: r.pending, kind: 'int' },
			{ header: t('pantarlih.app'), value: r.app, kind: 'text' },
			{ header: t('pantarlih.lastNote'), value: r.note?.text ?? null, kind: 'text' },
			{ header: t('pantarlih.lastNoteBy'), value: r.note?.author ?? null, kind: 'text' },
			{ header: `${t('pantarlih.lastNoteAt')} (${zone})`, value: r.note?.at ?? null, kind: 'time' },
			{ header: t('pantarlih.lastContactBy'), value: r.lastContact?.author ?? null, kind: 'text' },
			{
				header: `${t('pantarlih.lastContactAt')} (${zone})`,
				value: r.lastContact?.at ?? null,
				kind: 'time'
			}
		]);
		await noteDownload(running.handle.db, actorOf(locals.user!, getClientAddress()), {
			action: `export.pantarlih.${format}`,
			subject: `wilayah ${params.code}`,
			region: params.code,
			after: { rows: rows.length, filters: Object.fromEntries(url.searchParams) }
		});
		return tableResponse(
			{ name: `pantarlih-${params.code}`, sheet: 'Pantarlih', zone, rows },
			format
		);
	}
);
