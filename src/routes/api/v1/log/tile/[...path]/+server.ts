// GET /api/v1/log/tile/<L>/<N>[.p/<W>]: a tile of the tree's hashes as tlog-tiles serves them
// (W 32-byte hashes concatenated). Public; a full tile never changes and is cached for a year.
import { guard } from '$lib/server/platform/http/errors';
import { tileBytes } from '$lib/server/evidence/log-api';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ params }) => {
	const { views } = await services();
	const { bytes, full } = await tileBytes(views.db, `tile/${params.path}`);
	return new Response(Buffer.from(bytes), {
		headers: {
			'content-type': 'application/octet-stream',
			'cache-control': full ? 'public, max-age=31536000, immutable' : 'no-cache'
		}
	});
});
