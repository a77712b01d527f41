// GET /api/v1/log/checkpoint: the latest signed checkpoint (a C2SP signed note) with every
// witness cosignature collected for it. Public: sizes and hashes only.
import { guard } from '$lib/server/platform/http/errors';
import { latestCheckpoint } from '$lib/server/evidence/log-api';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async () => {
	const { views } = await services();
	return new Response(await latestCheckpoint(views.db), {
		headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }
	});
});
