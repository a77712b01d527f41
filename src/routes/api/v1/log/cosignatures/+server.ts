// POST /api/v1/log/cosignatures {"note": "<checkpoint with cosignature lines>"}: a registered
// witness's cosignature over a checkpoint the log signed. The witness's key is its credential.
import { json } from '@sveltejs/kit';
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/platform/http/errors';
import { acceptCosignatures } from '$lib/server/evidence/witnesses';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

const MAX_NOTE = 64 * 1024;

export const POST: RequestHandler = guard(async ({ request }) => {
	const { views } = await services();
	let note: unknown;
	try {
		const text = await request.text();
		if (text.length > MAX_NOTE) throw new Error(`the body is over ${MAX_NOTE} bytes`);
		note = (JSON.parse(text) as { note?: unknown })?.note;
	} catch (error) {
		throw new AppError('cosignatureUnreadable', { reason: (error as Error).message });
	}
	if (typeof note !== 'string')
		throw new AppError('cosignatureUnreadable', { reason: 'send {"note": "<signed note>"}' });
	return json(await acceptCosignatures(views.db, note, views.now()));
});
