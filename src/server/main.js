// Production entry: the SvelteKit (adapter-node) handler on a plain node:http server, the same
// server that carries socket.io and the ingest fast path. Plain JS so that it runs without a
// build step of its own; the app itself is in build/ (npm run build).
import compression from 'compression';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { runningServices } from './running.js';
import { attachSocketServer } from './socket.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.env.PANTAU_APP_ROOT ??= root;

const port = Number(process.env.PORT || 3000);
const host = process.env.HOST || '0.0.0.0';
// Form actions check the Origin header (CSRF); without ORIGIN the adapter would assume https.
process.env.ORIGIN ??= `http://localhost:${port}`;

const SHUTDOWN_DEADLINE_MS = 10_000;
/** How long requests in flight may take to finish once a stop begins, before connections are cut. */
const DRAIN_MS = 5_000;
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

// Started by the app's init hook during the import above (src/lib/server/runtime.ts).
const services = await runningServices();
const HEARTBEATS = '/api/v1/heartbeats';
/**
 * gzip (or deflate) for pages, JSON and CSV where the client accepts it: `compression`, Express's
 * own middleware, which works on a plain node:http response. Static files (scripts, styles, the
 * boundary files) are compressed once at build by adapter-node (.br, .gz) and pass untouched.
 */
const compress = compression({ threshold: 1024 });
/** Boundary files change only with a release: browsers may keep them a day, then revalidate. */
const STATIC_DATA = /^\/geo\//;
const metricsToken = process.env.METRICS_TOKEN || '';

/** A route label of low cardinality: region codes and asset names folded. @param {string} path */
function routeOf(path) {
	if (path.startsWith('/_app/')) return '/_app';
	if (path.startsWith('/geo/')) return '/geo';
	return path.replace(/\/(\d{2,13}|id)(?=\/|$)/g, '/[code]');
}

/** @param {http.IncomingMessage} req @param {http.ServerResponse} res @param {number} status @param {string} text */
function plain(req, res, status, text) {
	res.writeHead(status, {
		'content-type': 'text/plain; charset=utf-8',
		'cache-control': 'no-store'
	});
	res.end(req.method === 'HEAD' ? undefined : text);
}

// Answered here, before SvelteKit's request pipeline: the phones' sync endpoint (the hot path),
// health checks for load balancers, and metrics. Every request gets an id and one log line.
let stopping = false;
/** Requests being answered, and every open connection (HTTP, upgraded or half-sent), for the stop. */
let inFlight = 0;
const connections = new Set();

const server = http.createServer((req, res) => {
	const started = performance.now();
	inFlight += 1;
	res.on('close', () => (inFlight -= 1));
	const given = String(req.headers['x-request-id'] ?? '');
	const id = /^[\w.-]{1,64}$/.test(given) ? given : randomUUID();
	res.setHeader('x-request-id', id);
	// While stopping, every answer closes its connection, so keep-alive clients let go.
	if (stopping) res.setHeader('connection', 'close');
	const url = req.url ?? '';
	const path = url.split('?')[0];
	res.on('finish', () =>
		services.logRequest({
			id,
			method: req.method ?? '',
			path,
			status: res.statusCode,
			ms: Math.round((performance.now() - started) * 10) / 10,
			route: routeOf(path)
		})
	);
	if (path === HEARTBEATS) void services.ingestHttp(req, res);
	else if (path === '/healthz') plain(req, res, 200, 'ok\n');
	else if (path === '/readyz') {
		void services
			.readiness()
			.then((r) =>
				plain(req, res, r.ready ? 200 : 503, r.ready ? 'ready\n' : `not ready: ${r.reason}\n`)
			);
	} else if (path === '/metrics') {
		if (!metricsToken) plain(req, res, 404, 'metrics are off: set METRICS_TOKEN\n');
		else if (req.headers.authorization !== `Bearer ${metricsToken}`)
			plain(req, res, 401, 'send Authorization: Bearer <METRICS_TOKEN>\n');
		else
			void services.metricsText(url.endsWith('?gc=1')).then((text) => {
				res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
				res.end(text);
			});
	} else {
		if (STATIC_DATA.test(path)) res.setHeader('cache-control', 'public, max-age=86400');
		compress(/** @type {any} */ (req), /** @type {any} */ (res), () => handler(req, res));
	}
});
server.on('connection', (socket) => {
	connections.add(socket);
	socket.on('close', () => connections.delete(socket));
});
// Live push on the same origin and port as the pages.
const io = attachSocketServer(server);
server.on('error', (error) => fail(`cannot listen on ${host}:${port}: ${error.message}`));
server.listen(port, host, () => {
	console.log(`Pantau Coklit is running at ${process.env.ORIGIN}`);
});

/** @param {string} signal */
async function shutdown(signal) {
	if (stopping) return;
	stopping = true;
	console.log(`[server] ${signal}: finishing requests and closing the database`);
	const deadline = setTimeout(() => fail('shutdown took too long; exiting'), SHUTDOWN_DEADLINE_MS);
	deadline.unref();
	// Closing socket.io drops its connections: browsers reconnect (to another process, if any).
	// It also stops the HTTP server from accepting new connections.
	io.close();
	server.closeIdleConnections();
	// Connections busy now become idle after their answer (sent with Connection: close).
	const idle = setInterval(() => server.closeIdleConnections(), 100);
	const drained = Date.now() + DRAIN_MS;
	while (inFlight > 0 && Date.now() < drained) await new Promise((r) => setTimeout(r, 50));
	clearInterval(idle);
	// What is left answers nothing: half-sent requests, upgraded sockets whose client never
	// completes the websocket close, requests still running past the drain. Cut them.
	for (const socket of connections) socket.destroy();
	await services.stop();
	process.exit(0);
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));
