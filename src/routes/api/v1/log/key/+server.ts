// GET /api/v1/log/key: the log's verifier keys (`<name>+<hex key id>+<base64 key>`), one a line,
// oldest first; `?format=json` adds the tree size each key signs from. Public.
import { json } from '@sveltejs/kit';
import { guard } from '$lib/server/platform/http/errors';
import { keysText } from '$lib/server/evidence/log-api';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ url }) => {
	const { views } = await services();
	const { text, keys } = await keysText(views.db);
	if (url.searchParams.get('format') === 'json') return json({ keys });
	return new Response(text, {
		headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-cache' }
	});
});
