// GET /api/v1/log/consistency?from=<size>&to=<size>: the RFC 6962 consistency proof between two
// tree sizes (base64 hashes, one a line). Public; immutable, so cached for a year.
import { guard } from '$lib/server/platform/http/errors';
import { consistencyText } from '$lib/server/evidence/log-api';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ url }) => {
	const { views } = await services();
	const text = await consistencyText(
		views.db,
		url.searchParams.get('from') ?? '',
		url.searchParams.get('to') ?? ''
	);
	return new Response(text, {
		headers: {
			'content-type': 'text/plain; charset=utf-8',
			'cache-control': 'public, max-age=31536000, immutable'
		}
	});
});
