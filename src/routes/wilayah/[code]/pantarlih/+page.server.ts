import QRCode from 'qrcode';
import { isTpsCode } from '$lib/domain/codes';
import { AppError } from '$lib/domain/errors';
import { canManageDevices } from '$lib/domain/roles';
import { z } from 'zod';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { filtersFrom, pantarlihList } from '$lib/server/followup/pantarlih-list';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { enrolPhones } from '$lib/server/roster/enrol-verbs';
import { addFollowup } from '$lib/server/followup/followup-verbs';
import { requireRecentProof } from '$lib/server/accounts/second-step';
import type { Actions, PageServerLoad } from './$types';

// A page is a coordinator's round of calls, silent first; the download holds the whole list. Fifty
// rows keep the page light on a phone (200 made 13,500 elements and hydrated 200 forms).
const PAGE_SIZE = 50;

export const load: PageServerLoad = guard(async ({ params, locals, url }) => {
	const running = await services();
	const filters = filtersFrom(url);
	const asked = Number(url.searchParams.get('hal'));
	let page = Number.isSafeInteger(asked) && asked >= 1 ? asked : 1;
	let list = await pantarlihList(running.views, locals.user!, params.code, filters, {
		offset: (page - 1) * PAGE_SIZE,
		limit: PAGE_SIZE
	});
	const pages = Math.max(1, Math.ceil(list.shown / PAGE_SIZE));
	if (page > pages) {
		// Past the last page (the list shrank): show the last one.
		page = pages;
		list = await pantarlihList(running.views, locals.user!, params.code, filters, {
			offset: (page - 1) * PAGE_SIZE,
			limit: PAGE_SIZE
		});
	}
	return {
		...list,
		page,
		pages,
		filters,
		canEnrol: canManageDevices(locals.user!, params.code)
	};
});

/** The QR code a phone scans to enrol: the server's address and the device token. */
async function enrolment(origin: string, tps: string, token: string) {
	const payload = `pantau-coklit:enrol?server=${encodeURIComponent(origin)}&tps=${tps}&token=${token}`;
	return QRCode.toString(payload, { type: 'svg', errorCorrectionLevel: 'M', margin: 1 });
}

const noteForm = z.object({ tps: formText(40), note: formText(10_000), contacted: formText(3) });
const enrolForm = z.object({ tps: formText(40), village: formText(40) });

export const actions: Actions = {
	note: formAction(noteForm, async ({ params, locals, getClientAddress }, form, _data, t) => {
		const running = await services();
		const done = await addFollowup(
			{ db: running.handle.db, now: running.clock.now },
			actorOf(locals.user!, getClientAddress()),
			{
				region: params.code,
				tps: form.tps,
				note: form.note,
				contacted: form.contacted === 'on' || form.contacted === '1'
			}
		);
		return {
			message: t(done.contacted ? 'pantarlih.contactedSaved' : 'pantarlih.noteSaved', {
				number: done.tps.slice(10)
			})
		};
	}),
	enrol: formAction(
		enrolForm,
		async ({ params, locals, url, getClientAddress }, form, _data, t) => {
			// A new QR revokes the phone's token: a dangerous act, asked for a fresh proof.
			requireRecentProof(locals.session);
			const running = await services();
			const { tps, village } = form;
			let codes: string[];
			if (isTpsCode(tps)) codes = [tps];
			else if (/^\d{10}$/.test(village) && running.store.get(village))
				codes = [...running.activity.rows(village)].map((r) => r.code);
			else throw new AppError('enrolPick');
			const subject = codes.length === 1 ? codes[0] : village;
			if (!subject.startsWith(params.code)) throw new AppError('tpsNotInRegion', { tps: subject });
			const issued = await enrolPhones(
				{ db: running.handle.db, bus: running.bus },
				actorOf(locals.user!, getClientAddress()),
				codes,
				subject
			);
			const origin = running.config.ORIGIN ?? url.origin;
			return {
				message: t('pantarlih.enrolled', { count: issued.length }),
				enrolment: await Promise.all(
					issued.map(async (token) => ({
						tps: token.tpsCode,
						name: token.pantarlihName,
						village: running.store.get(token.tpsCode.slice(0, 10))?.name ?? '',
						token: token.token,
						qr: await enrolment(origin, token.tpsCode, token.token)
					}))
				)
			};
		}
	)
};
