// socket.io on the same HTTP server as the pages, in `npm run dev` (vite.config.ts) and in
// production (main.js). Plain JS so that Vite's config loader can import it: the logic lives in
// the app's LiveService (src/lib/server/live/service.ts), reached through the one accessor for the
// running services (running.js), which waits while they start (in development: until the first
// page request).
import { Server } from 'socket.io';
import { MAX_MESSAGE_BYTES } from '../lib/protocol/limits.js';
import { runningServices } from './running.js';

/** @param {import('node:http').Server} httpServer */
export function attachSocketServer(httpServer) {
	const io = new Server(httpServer, {
		path: '/socket.io',
		serveClient: false,
		maxHttpBufferSize: MAX_MESSAGE_BYTES,
		// Cross-site websocket hijacking: a page of another origin may not open the socket with a
		// signed-in user's cookie. Programs send no Origin and pass (they need an API token).
		allowRequest: (req, callback) => {
			runningServices().then(
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
			const { live } = await runningServices();
			if (!attached) {
				attached = true;
				live.attach(/** @type {any} */ (io));
			}
			await live.authenticate(/** @type {any} */ (socket));
			next();
		} catch (error) {
			next(error instanceof Error ? error : new Error(String(error)));
		}
	});
	return io;
}
