/** The heartbeat endpoint on a plain node:http request, for the production entry's fast path. */
import { describe, logger } from '../platform/log';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_BODY_BYTES, type IngestResponse, type IngestService } from './service';

function readBody(req: IncomingMessage): Promise<{ body: Uint8Array; tooLarge: boolean }> {
	return new Promise((resolve, reject) => {
		const declared = Number(req.headers['content-length']);
		if (declared > MAX_BODY_BYTES) {
			// Do not read a body we will refuse; the connection is closed after the answer.
			req.resume();
			resolve({ body: new Uint8Array(), tooLarge: true });
			return;
		}
		const chunks: Buffer[] = [];
		let size = 0;
		let tooLarge = false;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) tooLarge = true;
			else chunks.push(chunk);
		});
		req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge }));
		req.on('error', reject);
	});
}

export function send(res: ServerResponse, response: IngestResponse): void {
	const body = JSON.stringify(response.body);
	res.writeHead(response.status, {
		'content-type': 'application/json; charset=utf-8',
		'content-length': Buffer.byteLength(body),
		'cache-control': 'no-store',
		...response.headers
	});
	res.end(body);
}

export async function handleNodeRequest(
	service: IngestService,
	req: IncomingMessage,
	res: ServerResponse
): Promise<void> {
	try {
		const { body, tooLarge } = await readBody(req);
		if (tooLarge) res.shouldKeepAlive = false;
		send(
			res,
			await service.handle({
				method: req.method ?? 'GET',
				authorization: req.headers.authorization,
				contentType: req.headers['content-type'],
				body,
				tooLarge
			})
		);
	} catch (error) {
		logger().error(`[ingest] unexpected error ${describe(error)}`);
		if (!res.headersSent)
			send(res, { status: 500, headers: {}, body: { error: 'internal error' } });
		else res.destroy();
	}
}
