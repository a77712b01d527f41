// GET /api/v1/heartbeats/<id>/receipt: a c2sp.org/tlog-proof@v1 receipt of one heartbeat, for the
// phone whose device token sent it (Authorization: Bearer <device token>) and for a reader whose
// scope holds its TPS; 404 for anyone else.
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/platform/http/errors';
import { receipt } from '$lib/server/evidence/log-api';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ params, request, locals }) => {
	const { views, ingest } = await services();
	const bearer = /^Bearer\s+(pcd_\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
	const device = bearer ? await ingest.tokens.lookup(bearer) : null;
	const reader = device
		? { deviceToken: device.tokenId }
		: locals.user
			? { viewer: locals.user }
			: null;
	if (!reader) throw new AppError('receiptNotFound', { id: params.id.slice(0, 40) });
	const text = await receipt(views.db, params.id, reader);
	return new Response(text, {
		headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'private, no-cache' }
	});
});
