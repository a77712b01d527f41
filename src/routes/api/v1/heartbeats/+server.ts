// In production the entry answers this path itself, before SvelteKit (src/server/main.js); this
// route serves `npm run dev` and any deployment without that entry, through the same service.
import { MAX_BODY_BYTES } from '$lib/server/ingest/service';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

const answer: RequestHandler = async ({ request }) => {
	const { ingest } = await services();
	const declared = Number(request.headers.get('content-length'));
	const body =
		declared > MAX_BODY_BYTES ? new Uint8Array() : new Uint8Array(await request.arrayBuffer());
	const response = await ingest.handle({
		method: request.method,
		authorization: request.headers.get('authorization') ?? undefined,
		contentType: request.headers.get('content-type') ?? undefined,
		body,
		tooLarge: declared > MAX_BODY_BYTES || body.length > MAX_BODY_BYTES
	});
	return new Response(JSON.stringify(response.body), {
		status: response.status,
		headers: { 'content-type': 'application/json; charset=utf-8', ...response.headers }
	});
};

export const POST = answer;
export const fallback = answer;
