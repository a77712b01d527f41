// GET /api/v1/tps/<code>/heartbeats?after=<cursor>&limit=<1..1000>: the TPS's chronology, newest
// first, keyset-paged: `next` is the cursor of the following (older) page, null on the last.
import { json } from '@sveltejs/kit';
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import { chronology, MAX_PAGE } from '$lib/server/views/tps';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ params, locals, url }) => {
	const { views } = await services();
	const given = url.searchParams.get('limit') ?? '100';
	const limit = /^\d{1,4}$/.test(given) ? Number(given) : NaN;
	if (!(limit >= 1 && limit <= MAX_PAGE)) throw new AppError('badLimit', { max: MAX_PAGE, given });
	const page = await chronology(
		views,
		locals.user!,
		params.code,
		url.searchParams.get('after'),
		limit
	);
	return json(page, { headers: { 'cache-control': 'no-store' } });
});
