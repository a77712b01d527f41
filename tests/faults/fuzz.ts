/**
 * Generated malformed requests for the fault suite: every public endpoint (the phones' sync API,
 * login, the language switch) and form actions behind a session. Wrong types, huge numbers, deep
 * nesting, invalid UTF-8, 10 MB bodies, unknown fields, SQL and HTML in strings, wrong content
 * types. Returns the answers that were not a 4xx with a message.
 */
import type { DeviceToken } from '../../src/simulator/run';

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number) {
	let x = seed >>> 0 || 1;
	return () => {
		x ^= x << 13;
		x ^= x >>> 17;
		x ^= x << 5;
		return (x >>> 0) / 0x1_0000_0000;
	};
}

const NASTY = [
	"'; drop table heartbeats; --",
	'<script>alert(1)</script>',
	'\u0000\u0001\u0002',
	'𝕂𝕆𝕋𝔸',
	'x'.repeat(5_000),
	'../../etc/passwd',
	'{{7*7}}',
	'%00',
	'-1',
	'1e309',
	'NaN'
];
/** Values each field must refuse. */
const BROKEN: Record<string, unknown[]> = {
	id: [null, 5, true, ...NASTY],
	tps: [null, 3501010001001, '35010100010', ...NASTY],
	verified: [null, -1, 3.5, 1e12, true, '10', ...NASTY],
	tms: [-1, 2.5, 1e12, 'x', true],
	pending: [-3, 0.5, 1e12, 'x', false],
	recordedAt: [null, 0, '2026-13-45', '20 Feb 2026', '2026-02-20T10:00:00', ...NASTY],
	battery: [-1, 3.5, 'x', true],
	lat: [91, -91, 'x', true],
	extra: ['unknown field']
};

export async function fuzz(base: string, cookie: string, device: DeviceToken, count: number) {
	const next = random(20260214);
	const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
	const statuses: Record<string, number> = {};
	const bad: string[] = [];
	let sent = 0;

	const heartbeat = () => {
		const item: Record<string, unknown> = {
			id: crypto.randomUUID(),
			tps: device.tps,
			verified: 10,
			recordedAt: new Date().toISOString()
		};
		// Break one field (or add an unknown one).
		const field = pick(Object.keys(BROKEN));
		item[field] = pick(BROKEN[field]);
		return item;
	};
	const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

	const cases: (() => { path: string; init: RequestInit })[] = [
		// The sync API: broken items, shapes, encodings, sizes, types, tokens.
		() => ({
			path: '/api/v1/heartbeats',
			init: {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
				body: JSON.stringify({ heartbeats: [heartbeat()] }).replace(
					'"tps"',
					next() < 0.5 ? '"tps"' : '"TPS"'
				)
			}
		}),
		() => ({
			path: '/api/v1/heartbeats',
			init: {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
				body: pick([
					'{',
					'[]',
					'null',
					'{"heartbeats": 5}',
					'{"heartbeats": []}',
					`{"heartbeats": ${deep(5_000)}}`,
					deep(100_000),
					JSON.stringify({ heartbeats: Array.from({ length: 501 }, heartbeat) }),
					JSON.stringify({ heartbeats: [heartbeat()], admin: true })
				])
			}
		}),
		() => ({
			path: '/api/v1/heartbeats',
			init: {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
				body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d])
			}
		}),
		() => ({
			path: '/api/v1/heartbeats',
			init: {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${device.token}` },
				body: 'x'.repeat(10 * 1024 * 1024)
			}
		}),
		() => ({
			path: '/api/v1/heartbeats',
			init: {
				method: pick(['POST', 'PUT', 'DELETE', 'PATCH']),
				headers: {
					'content-type': pick(['text/plain', 'application/xml', 'application/json']),
					authorization: pick([
						// Header values must be Latin-1, or fetch itself refuses to send them.
						`Bearer ${pick(NASTY.filter((n) => /^[\x20-\x7e]*$/.test(n)))}`,
						'Basic YTpi',
						'',
						`Bearer pcd_${'a'.repeat(32)}`
					])
				},
				body: JSON.stringify({ heartbeats: [heartbeat()] })
			}
		}),
		// Login, the language switch.
		() => ({
			path: '/login',
			init: {
				method: 'POST',
				headers: {
					origin: base,
					accept: 'text/html',
					'content-type': 'application/x-www-form-urlencoded'
				},
				body: new URLSearchParams({ email: pick(NASTY), password: pick(NASTY) })
			}
		}),
		() => ({
			path: '/bahasa',
			init: {
				method: 'POST',
				headers: { origin: base, 'content-type': 'application/x-www-form-urlencoded' },
				body: new URLSearchParams({ lang: pick(NASTY), to: pick(NASTY) })
			}
		}),
		// Form actions behind a session, with garbage.
		...[
			'/admin/users?/create',
			'/admin/users?/update',
			'/admin/users?/disable',
			'/admin/users?/password',
			'/admin/import?/apply',
			'/admin/campaign?/campaign',
			'/admin/campaign?/override',
			'/admin/campaign?/settings',
			'/peringatan?/acknowledge',
			'/peringatan?/resolve',
			'/wilayah/7501/pantarlih?/note',
			'/wilayah/7501/pantarlih?/enrol'
		].map((path) => () => ({
			path,
			init: {
				method: 'POST',
				headers: {
					origin: base,
					cookie,
					accept: 'text/html',
					'content-type': 'application/x-www-form-urlencoded'
				},
				body: new URLSearchParams({
					email: pick(NASTY),
					name: pick(NASTY),
					role: pick(NASTY),
					scope: pick(NASTY),
					password: pick(NASTY),
					firstDay: pick(NASTY),
					lastDay: pick(NASTY),
					points: pick(NASTY),
					code: pick(NASTY),
					checkHour: pick(NASTY),
					id: pick(NASTY),
					note: pick(NASTY),
					tps: pick(NASTY),
					village: pick(NASTY),
					disabled: pick(NASTY),
					validOnly: pick(NASTY),
					contacted: pick(NASTY)
				})
			}
		})),
		() => ({
			path: '/admin/import?/preview',
			init: {
				method: 'POST',
				headers: {
					origin: base,
					cookie,
					accept: 'text/html',
					'content-type': 'multipart/form-data; boundary=x'
				},
				body: `--x\r\nContent-Disposition: form-data; name="file"; filename="a.xlsx"\r\n\r\n${pick(NASTY)}\r\n--x--\r\n`
			}
		})
	];

	for (let i = 0; i < count; i++) {
		const { path, init } = pick(cases)();
		sent += 1;
		try {
			const response = await fetch(base + path, { ...init, redirect: 'manual' });
			const text = await response.text();
			// The sync API refuses bad items one by one inside a 200 (issue 3): every item must be refused.
			const itemsRefused =
				response.status === 200 &&
				path === '/api/v1/heartbeats' &&
				/"accepted":0,"duplicates":0,"rejected":\[\{/.test(text);
			const label = itemsRefused ? '200 (all items refused)' : String(response.status);
			statuses[label] = (statuses[label] ?? 0) + 1;
			if (
				!itemsRefused &&
				(response.status < 400 || response.status >= 500 || text.trim().length === 0)
			)
				bad.push(`${init.method} ${path}: ${response.status} ${text.slice(0, 80)}`);
		} catch (error) {
			// A 10 MB body may be cut off by the server's 413: the answer is still a refusal.
			statuses.reset = (statuses.reset ?? 0) + 1;
			if (
				!String((error as Error).cause ?? error).match(
					/ECONNRESET|EPIPE|other side closed|SocketError/
				)
			)
				bad.push(`${init.method} ${path}: ${(error as Error).message}`);
		}
	}
	return { sent, statuses, bad };
}

/**
 * The socket protocol, fuzzed: `subscribe`, `unsubscribe` and unknown events with nested, huge,
 * wrongly typed and oddly encoded payloads, binary attachments, extra arguments, no callback, and
 * raw socket.io packets that are not valid at all. Every request with a callback must be answered
 * (an answer or an error answer) or the connection closed (a message over the size limit, a
 * broken packet); the server must keep serving. Returns the requests that got neither.
 */
export async function fuzzSocket(base: string, cookie: string, count: number) {
	const { io } = await import('socket.io-client');
	const next = random(20261201);
	const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
	const nest = (depth: number, leaf: unknown, object: boolean): unknown => {
		let value = leaf;
		for (let i = 0; i < depth; i++) value = object ? { regions: value } : [value];
		return value;
	};
	const payloads: (() => unknown)[] = [
		() => ({ regions: nest(Math.floor(next() * 6_000), '35', false) }),
		() => ({ regions: [nest(Math.floor(next() * 3_000), '35', true)] }),
		() => nest(Math.floor(next() * 3_000), ['35'], true),
		() => ({ regions: Array.from({ length: Math.floor(next() * 2_000) }, (_, i) => String(i)) }),
		() => ({ regions: pick([null, 5, true, '35', {}, { length: 1e9 }, [null], [5], [[]]]) }),
		() => pick([null, undefined, 0, '', 'subscribe', [], [['35']], { regions: ['35'], x: 1 }]),
		() => ({ regions: [pick(NASTY), '\ud800', '\u202e35', '٣٥', '3５'] }),
		() => ({ regions: ['35'], __proto__: { admin: true }, constructor: { prototype: {} } }),
		() => ({ regions: [Buffer.from([0xff, 0xfe])] }),
		() => ({ regions: ['35', 'id', '3501', '3501', '99'] })
	];
	const raw = [
		'2[',
		'2["subscribe",',
		`2["subscribe",${'['.repeat(20_000)}`,
		// Deeper than the client library can encode, under the size limit: only a raw packet gets here.
		`20["subscribe",{"regions":${'['.repeat(7_000)}"35"${']'.repeat(7_000)}}]`,
		`21["unsubscribe",${'{"regions":'.repeat(1_200)}1${'}'.repeat(1_200)}]`,
		'2{"regions":["35"]}',
		'21-["subscribe",{"regions":["35"]}]',
		'2999999999999999999999["subscribe",{"regions":["35"]}]',
		'51-["subscribe",{"_placeholder":true,"num":0}]',
		'5-["subscribe",{"_placeholder":true,"num":7}]',
		'0/admin,',
		'1',
		'9garbage'
	];
	const connect = () =>
		new Promise<import('socket.io-client').Socket>((resolve, reject) => {
			const socket = io(base, {
				path: '/socket.io',
				transports: ['websocket'],
				extraHeaders: { cookie },
				reconnection: false,
				timeout: 5_000
			});
			socket.once('connect', () => resolve(socket));
			socket.once('connect_error', reject);
		});
	const statuses: Record<string, number> = {};
	const bad: string[] = [];
	const count1 = (label: string) => (statuses[label] = (statuses[label] ?? 0) + 1);
	let socket = await connect();
	let sent = 0;
	for (let i = 0; i < count; i++) {
		// A fresh connection every 25 messages: each may send 30 requests per 10 s.
		if (!socket.connected || i % 25 === 24) {
			socket.close();
			socket = await connect();
		}
		sent += 1;
		const kind = next();
		if (kind < 0.08) {
			// A raw packet the socket.io parser must refuse (the connection may be closed for it).
			(socket.io.engine as unknown as { write(message: string): void }).write(pick(raw));
			count1('raw packet');
			await new Promise((resolve) => setTimeout(resolve, 20));
			continue;
		}
		const event =
			kind < 0.5
				? 'subscribe'
				: kind < 0.85
					? 'unsubscribe'
					: pick(['ingest', 'x', 'progress', '']);
		const payload = pick(payloads)();
		const withAck = next() < 0.8;
		const known = event === 'subscribe' || event === 'unsubscribe';
		const outcome = await new Promise<string>((resolve) => {
			const timer = setTimeout(
				() =>
					resolve(
						socket.connected ? (withAck ? 'no answer' : 'no callback, no refusal') : 'closed'
					),
				// An answer is owed only to a known request with a callback; nothing else waits long.
				known && withAck ? 2_000 : 100
			);
			const closed = () => {
				clearTimeout(timer);
				resolve('closed');
			};
			socket.once('disconnect', closed);
			const done = (label: string) => {
				clearTimeout(timer);
				socket.off('disconnect', closed);
				resolve(label);
			};
			try {
				if (withAck)
					socket.emit(event, payload, (answer: { error?: string; snapshots?: unknown[] }) =>
						done(answer?.error ? 'error answer' : 'answer')
					);
				else {
					socket.once('refused', () => done('refused event'));
					socket.emit(event, payload);
					// Nothing comes back for an unknown event or a valid request without a callback.
					if (event !== 'subscribe' && event !== 'unsubscribe')
						setTimeout(() => done('ignored'), 50);
				}
			} catch (error) {
				// The client library itself could not encode it (too deep for its own recursion).
				done(`not sent (${(error as Error).name})`);
			}
		});
		count1(outcome === 'no answer' && !known ? 'unknown event, no answer' : outcome);
		if (outcome === 'no answer' && known && withAck)
			bad.push(`${event} ${JSON.stringify(payload)?.slice(0, 60)}: no answer within 2 s`);
	}
	socket.close();
	return { sent, statuses, bad };
}
