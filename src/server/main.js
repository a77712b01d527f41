// Production entry: the SvelteKit (adapter-node) handler on a plain node:http server, the same
// server that carries socket.io and the ingest fast path. Plain JS so that it runs without a
// build step of its own; the app itself is in build/ (npm run build).
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { attachSocketServer } from './socket.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.env.PANTAU_APP_ROOT ??= root;

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
// Form actions check the Origin header (CSRF); without ORIGIN the adapter would assume https.
process.env.ORIGIN ??= `http://localhost:${port}`;

const SERVICES = Symbol.for('pantau-coklit.services');
/**
 * What the app's init hook leaves on globalThis (src/lib/server/runtime.ts).
 * @typedef {{
 *   ingestHttp(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>,
 *   stop(): Promise<void>
 * }} Services
 */
const SHUTDOWN_DEADLINE_MS = 10_000;
// Errors whose message is meant for the operator as it stands (no stack trace needed).
const EXPLAINED = ['ConfigError', 'DataDirLockedError'];

/** @param {string} message */
function fail(message) {
	console.error(`pantau-coklit: ${message}`);
	process.exit(1);
}

const handlerFile = path.join(root, 'build', 'handler.js');
if (!existsSync(handlerFile)) fail(`${handlerFile} is missing. Run \`npm run build\` first`);

/** @type {(req: http.IncomingMessage, res: http.ServerResponse) => void} */
let handler;
try {
	// Importing the handler runs the app's init hook: migrations, first-start seed, roll-ups.
	({ handler } = await import(pathToFileURL(handlerFile).href));
} catch (caught) {
	// The app's own start-up errors say what is wrong and how to fix it; others keep their stack.
	const error =
		/** @type {{ name?: string, message?: string, describe?: () => string, stack?: string }} */ (
			caught
		);
	if (typeof error?.describe === 'function') fail(error.describe());
	else if (error?.name && EXPLAINED.includes(error.name)) fail(String(error.message));
	else fail(error?.stack ?? String(caught));
}

const services = await /** @type {Record<symbol, Promise<Services>>} */ (
	/** @type {unknown} */ (globalThis)
)[SERVICES];
const HEARTBEATS = '/api/v1/heartbeats';

// The sync endpoint is the hot path: answered here, before SvelteKit's request pipeline.
const server = http.createServer((req, res) => {
	const url = req.url ?? '';
	if (url === HEARTBEATS || url.startsWith(`${HEARTBEATS}?`)) void services.ingestHttp(req, res);
	else handler(req, res);
});
// Live push on the same origin and port as the pages.
const io = attachSocketServer(server);
server.on('error', (error) => fail(`cannot listen on ${host}:${port}: ${error.message}`));
server.listen(port, host, () => {
	console.log(`Pantau Coklit is running at ${process.env.ORIGIN}`);
});

let stopping = false;
/** @param {string} signal */
async function shutdown(signal) {
	if (stopping) return;
	stopping = true;
	console.log(`[server] ${signal}: finishing requests and closing the database`);
	const deadline = setTimeout(() => fail('shutdown took too long; exiting'), SHUTDOWN_DEADLINE_MS);
	deadline.unref();
	// Closing socket.io drops its connections: browsers reconnect (to another process, if any).
	io.close();
	await new Promise((resolve) => {
		server.close(resolve);
		server.closeIdleConnections();
	});
	await services.stop();
	process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
