import { fail } from '@sveltejs/kit';
import QRCode from 'qrcode';
import { isTpsCode } from '$lib/domain/codes';
import { canManageDevices, canWriteNotes } from '$lib/domain/roles';
import { audit } from '$lib/server/auth/audit';
import { followups } from '$lib/server/db/schema';
import { issueDeviceTokens } from '$lib/server/ingest/device-tokens';
import { filtersFrom, pantarlihList } from '$lib/server/pantarlih';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

const PAGE_SIZE = 200;

export const load: PageServerLoad = async ({ params, locals, url }) => {
	const running = await services();
	const filters = filtersFrom(url);
	const list = await pantarlihList(running, locals.user!, params.code, filters);
	const pages = Math.max(1, Math.ceil(list.rows.length / PAGE_SIZE));
	const page = Math.min(pages, Math.max(1, Number(url.searchParams.get('hal')) || 1));
	return {
		...list,
		rows: list.rows.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE),
		shown: list.rows.length,
		page,
		pages,
		filters,
		canEnrol: canManageDevices(locals.user!, params.code)
	};
};

/** The QR code a phone scans to enrol: the server's address and the device token. */
async function enrolment(origin: string, tps: string, token: string) {
	const payload = `pantau-coklit:enrol?server=${encodeURIComponent(origin)}&tps=${tps}&token=${token}`;
	return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

export const actions: Actions = {
	note: async ({ params, locals, request }) => {
		const user = locals.user!;
		const form = await request.formData();
		const tps = String(form.get('tps') ?? '');
		if (!isTpsCode(tps) || !tps.startsWith(params.code === 'id' ? '' : params.code))
			return fail(400, { message: 'TPS tidak sah untuk wilayah ini' });
		if (!canWriteNotes(user, tps))
			return fail(403, { message: 'Hanya koordinator wilayah ini yang mencatat tindak lanjut' });
		const note = String(form.get('note') ?? '').trim();
		const contacted = form.get('contacted') === 'on' || form.get('contacted') === '1';
		if (note.length > 500) return fail(400, { message: 'Catatan paling banyak 500 karakter' });
		if (!note && !contacted)
			return fail(400, { message: 'Tulis catatan atau tandai sudah dihubungi' });
		const running = await services();
		const at = new Date(running.clock.now());
		await running.handle.db
			.insert(followups)
			.values({ tpsCode: tps, userId: user.id, author: user.name, note, contacted, at });
		await audit(running.handle.db, {
			userId: user.id,
			actor: user.email,
			action: 'pantarlih.followup',
			subject: tps,
			after: { note, contacted }
		});
		return {
			message: contacted
				? `TPS ${tps.slice(10)}: ditandai sudah dihubungi hari ini`
				: `TPS ${tps.slice(10)}: catatan disimpan`
		};
	},
	enrol: async ({ params, locals, request, url }) => {
		const user = locals.user!;
		const form = await request.formData();
		const tps = String(form.get('tps') ?? '');
		const village = String(form.get('village') ?? '');
		const running = await services();
		let codes: string[];
		if (isTpsCode(tps)) codes = [tps];
		else if (/^\d{10}$/.test(village) && running.store.get(village)) {
			codes = [...running.activity.rows(village)].map((r) => r.code);
		} else return fail(400, { message: 'Pilih satu TPS atau satu desa/kelurahan' });
		const subject = codes.length === 1 ? codes[0] : village;
		if (!subject.startsWith(params.code) || !canManageDevices(user, subject))
			return fail(403, { message: 'Hanya koordinator wilayah ini yang mendaftarkan ponsel' });
		const issued = await issueDeviceTokens(running.handle.db, codes);
		running.ingest.tokens.forgetAll();
		await audit(running.handle.db, {
			userId: user.id,
			actor: user.email,
			action: 'device.enrol',
			subject,
			after: { tps: codes.length, revokedEarlier: true }
		});
		const origin = running.config.ORIGIN ?? url.origin;
		return {
			message: `${issued.length} token perangkat diterbitkan; token lama dicabut`,
			enrolment: await Promise.all(
				issued.map(async (t) => ({
					tps: t.tpsCode,
					name: t.pantarlihName,
					village: running.store.get(t.tpsCode.slice(0, 10))?.name ?? '',
					token: t.token,
					qr: await enrolment(origin, t.tpsCode, t.token)
				}))
			)
		};
	}
};
