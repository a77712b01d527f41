// GET /api/v1/regions/<code>: a region's snapshot with its children (each with its Pantarlih per
// sync state) and its open alerts, for integrations and Bawaslu systems (session cookie or
// read-only API token). 403 outside scope, 404 unknown.
import { json } from '@sveltejs/kit';
import { guard } from '$lib/server/platform/http/errors';
import { regionApi } from '$lib/server/views/dashboard';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ params, locals }) => {
	const { views } = await services();
	return json(await regionApi(views, locals.user!, params.code), {
		headers: { 'cache-control': 'no-store' }
	});
});
