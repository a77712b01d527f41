// The one accessor for this process's running services (src/lib/server/runtime.ts), shared by
// the production entry (main.js), the socket.io attachment (socket.js, also loaded by Vite's
// config) and the SvelteKit app: a holder on globalThis, so every copy of this module (the
// bundle's and Node's) sees the same one. Waiting for the services is a promise, not polling.

const KEY = Symbol.for('pantau-coklit.services');

/**
 * @typedef {import('../lib/server/runtime').Services} Services
 * @typedef {{ promise: Promise<Services>, resolve: (s: Services) => void, reject: (e: unknown) => void, started: boolean }} Holder
 */

/** @returns {Holder} */
function holder() {
	const slots = /** @type {Record<symbol, Holder | undefined>} */ (
		/** @type {unknown} */ (globalThis)
	);
	let current = slots[KEY];
	if (!current) {
		/** @type {(s: Services) => void} */
		let resolve = () => {};
		/** @type {(e: unknown) => void} */
		let reject = () => {};
		const promise = /** @type {Promise<Services>} */ (
			new Promise((yes, no) => {
				resolve = yes;
				reject = no;
			})
		);
		// A failed start is reported to whoever waits; nobody waiting is not an unhandled rejection.
		promise.catch(() => {});
		current = slots[KEY] = { promise, resolve, reject, started: false };
	}
	return current;
}

/** The running services, once they have started (in development: after the first request). */
export function runningServices() {
	return holder().promise;
}

/** True once a start has begun in this process. */
export function servicesStarted() {
	return holder().started;
}

/**
 * Starts the services once per process (later calls get the same promise). A failed start
 * clears the holder, so that a later call may try again.
 * @param {() => Promise<Services>} start
 */
export function provideServices(start) {
	const current = holder();
	if (!current.started) {
		current.started = true;
		start().then(current.resolve, (error) => {
			forgetServices();
			current.reject(error);
		});
	}
	return current.promise;
}

/** Forgets the services (after they stopped, or failed to start). */
export function forgetServices() {
	const slots = /** @type {Record<symbol, Holder | undefined>} */ (
		/** @type {unknown} */ (globalThis)
	);
	delete slots[KEY];
}
