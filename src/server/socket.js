// socket.io on the same HTTP server as the pages, in `npm run dev` (vite.config.ts) and in
// production (main.js). Plain JS so that Vite's config loader can import it: the logic lives in
// the app's LiveService (src/lib/server/live/service.ts), found on globalThis once the app's
// init hook has run.
import { Server } from 'socket.io';

const SERVICES = Symbol.for('pantau-coklit.services');
// The protocol's limit (src/lib/protocol/live.ts MAX_MESSAGE_BYTES): a larger message closes
// the connection before anything parses it.
const MAX_MESSAGE_BYTES = 16 * 1024;

/** @returns {Promise<{ live: { authenticate(socket: unknown): Promise<void>, attach(io: unknown): void, refuseOrigin(origin: string | undefined, host: string | undefined): string | null } }>} */
async function services() {
	const holder = /** @type {Record<symbol, Promise<any> | undefined>} */ (
		/** @type {unknown} */ (globalThis)
	);
	// In development the app starts on the first page request; wait for it.
	while (!holder[SERVICES]) await new Promise((resolve) => setTimeout(resolve, 100));
	return holder[SERVICES];
}

/** @param {import('node:http').Server} httpServer */
export function attachSocketServer(httpServer) {
	const io = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		maxHttpBufferSize: MAX_MESSAGE_BYTES,
		// Cross-site websocket hijacking: a page of another origin may not open the socket with a
		// signed-in user's cookie. Programs send no Origin and pass (they need an API token).
		allowRequest: (req, callback) => {
			services().then(
				({ live }) => {
					const problem = live.refuseOrigin(req.headers.origin, req.headers.host);
					callback(problem ?? undefined, problem === null);
				},
				() => callback('the server is starting; retry shortly', false)
			);
		}
	});
	let attached = false;
	io.use(async (socket, next) => {
		try {
			const { live } = await services();
			if (!attached) {
				attached = true;
				live.attach(io);
			}
			await live.authenticate(socket);
			next();
		} catch (error) {
			next(error instanceof Error ? error : new Error(String(error)));
		}
	});
	return io;
}
