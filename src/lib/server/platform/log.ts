/**
 * The server's log: pino (fast, structured) writing one line per event to stdout, as JSON
 * (LOG_FORMAT=json, the default when stdout is not a terminal: systemd, containers, log shippers)
 * or as plain text for a person at a terminal (LOG_FORMAT=text). Every line passes a scrubber that
 * masks device and API tokens, session tokens and phone numbers, whatever code logged them.
 */
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

const KEY = Symbol.for('pantau-coklit.logger');
type Holder = { [KEY]?: Logger };

const SECRETS: [RegExp, string][] = [
	[/\bpc[adsv]_[a-z2-7]{16,}/gi, '[token]'],
	[/(pantau_(?:session|device)=)[^;\s"]+/g, '$1[session]'],
	[/\$argon2id\$[^\s"]+/g, '[hash]'],
	[/\+?62[ -]?8\d(?:[ -]?\d){7,11}/g, '[phone]'],
	[/\b08\d{8,12}\b/g, '[phone]']
];

/** Masks what must never reach a log line. */
export function scrub(line: string): string {
	let out = line;
	for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
	return out;
}

const LEVELS: Record<number, string> = {
	10: 'trace',
	20: 'debug',
	30: 'info',
	40: 'warn',
	50: 'error',
	60: 'fatal'
};

function destination(format: 'json' | 'text') {
	return new Writable({
		write(chunk, _encoding, done) {
			const line = scrub(String(chunk));
			if (format === 'json') process.stdout.write(line);
			else {
				const record = JSON.parse(line) as Record<string, unknown>;
				const { level, time, msg, pid: _pid, hostname: _host, ...rest } = record;
				void _pid;
				void _host;
				const extra = Object.entries(rest)
					.map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
					.join(' ');
				const tag =
					Number(level) >= 50 ? `${LEVELS[Number(level)]}: ` : Number(level) >= 40 ? 'warn: ' : '';
				void time;
				process.stdout.write(`${tag}${msg ?? ''}${extra ? ` ${extra}` : ''}\n`);
			}
			done();
		}
	});
}

export function logger(): Logger {
	const holder = globalThis as Holder;
	if (!holder[KEY]) {
		const format =
			process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'text'
				? process.env.LOG_FORMAT
				: process.stdout.isTTY
					? 'text'
					: 'json';
		holder[KEY] = pino(
			{ level: process.env.LOG_LEVEL ?? 'info', base: { pid: process.pid } },
			destination(format)
		);
	}
	return holder[KEY];
}

/** One line for a message that may carry an error. */
export const describe = (error: unknown) => (error as Error)?.message ?? String(error);
