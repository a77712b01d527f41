// GET /api/v1/tps/<code>: one TPS's current state, as the TPS page shows it (phones masked for
// observers and read-only tokens). 400 for a malformed code, 404 unknown, 403 outside the scope.
import { json } from '@sveltejs/kit';
import { guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import { tpsState } from '$lib/server/views/tps';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ params, locals }) => {
	const { views } = await services();
	return json(await tpsState(views, locals.user!, params.code), {
		headers: { 'cache-control': 'no-store' }
	});
});
