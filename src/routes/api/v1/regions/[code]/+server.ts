// GET /api/v1/regions/<code>: a region's snapshot with its children, for integrations and
// Bawaslu systems (session cookie or read-only API token). 403 outside scope, 404 unknown.
import { json } from '@sveltejs/kit';
import { guard } from '$lib/server/platform/http/errors';
import { viewRegion } from '$lib/server/views/regions';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ params, locals }) => {
	const { store } = await services();
	const { region, children } = viewRegion(store, locals.user!, params.code);
	return json({ ...region, children }, { headers: { 'cache-control': 'no-store' } });
});
