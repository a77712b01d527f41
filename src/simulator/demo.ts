/**
 * The README's first command (`npm run demo`, after install and build): the production server on
 * the embedded PostgreSQL with the national geography, demo logins and a compressed clock, and
 * the field simulator playing the coklit month against it through the public API. Ctrl-C stops
 * both; running it again resumes where it stopped (the clock and the data live in DATA_DIR).
 *
 * The server starts first (it loads the geography itself on a first start), so its URL is printed
 * as soon as it listens; the phones' tokens are then issued through it, on the demo's clock, as an
 * operator would with `token:bulk`. As simulated days close, the demo archives the heartbeat log
 * of days older than yesterday with `log:archive` (gzip files with their SHA-256, in
 * DATA_DIR/archive), as an operator minding the disk would: a whole campaign fits in a few GB.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { addDays, localDate, ZONES } from '../lib/domain/calendar';
import { formatNumber } from '../lib/format';
import { folderSize } from './folder-size';
import { DEFAULT_BEHAVIOUR } from './model';
import { regencyCentres } from './places';
import { Simulator } from './run';
import { readTokens } from './tokens';

const { values } = parseArgs({
	options: {
		speed: { type: 'string', default: '30' },
		'max-rate': { type: 'string', default: '10000' },
		concurrency: { type: 'string', default: '512' },
		'start-day': { type: 'string', default: '1' },
		'keep-log-days': { type: 'string', default: '2' }
	}
});
const speed = Number(values.speed);
const maxRate = Number(values['max-rate']);
const keepDays = Number(values['keep-log-days']);
if (!(speed >= 1 && speed <= 10_000)) throw new Error('--speed must be 1 to 10000');
if (!(maxRate >= 1)) throw new Error('--max-rate must be a positive number');
if (!(Number.isInteger(keepDays) && keepDays >= 1))
	throw new Error('--keep-log-days must be a whole number of days, at least 1');

const port = Number(process.env.PORT || 3000);
const dataDir = path.resolve(process.env.DATA_DIR || './data');
const url = `http://127.0.0.1:${port}`;
const tokensFile = path.join(dataDir, 'simulator', 'device-tokens.csv');
const archiveDir = path.join(dataDir, 'archive');

const run = promisify(execFile);
/** A CLI command, sent to the running server through its socket (it holds DATA_DIR). */
const cli = (...args: string[]) =>
	run(path.join('node_modules', '.bin', 'tsx'), ['src/lib/server/cli/main.ts', ...args], {
		env: { ...process.env, DATA_DIR: dataDir },
		maxBuffer: 16 * 1024 * 1024
	});

const server = spawn(process.execPath, ['src/server/main.js'], {
	env: {
		...process.env,
		DEMO: '1',
		// The simulator's thousand requests a second would bury the useful lines.
		LOG_REQUESTS: 'off',
		// Lines for a person at a terminal, even when the output is piped.
		LOG_FORMAT: process.env.LOG_FORMAT ?? 'text',
		CLOCK_SPEED: String(speed),
		// Used only by a first start; a restart resumes the saved clock.
		CLOCK_START_DAY: values['start-day'],
		DATA_DIR: dataDir
	},
	stdio: 'inherit'
});
let simulator: Simulator | undefined;
let stopping = false;
server.on('exit', (code) => {
	if (!stopping) {
		console.error(`[demo] the server stopped (exit ${code})`);
		void simulator?.stop();
	}
	process.exit(stopping ? 0 : (code ?? 1));
});
const stop = async () => {
	if (stopping) return;
	stopping = true;
	await simulator?.stop();
	// The terminal's Ctrl-C reaches the server too; a plain `kill` of this process does not.
	server.kill('SIGINT');
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

async function ready(): Promise<void> {
	for (;;) {
		try {
			if ((await fetch(`${url}/api/v1/clock`)).ok) return;
		} catch {
			// not listening yet
		}
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

const gigabytes = (bytes: number) => `${(bytes / 1e9).toFixed(1).replace('.', ',')} GB`;

/** Archives the log of closed days older than the last `keepDays` (simulated), once a day. */
let archivedBefore = '';
let archiving = false;
async function archiveClosedDays(now: number): Promise<void> {
	// Days close at midnight in every zone: the last to close is WIT's, two hours before WIB's.
	const before = addDays(localDate(new Date(now), ZONES.WIB), -keepDays + 1);
	if (archiving || before <= archivedBefore) return;
	archiving = true;
	try {
		const { stdout } = await cli('log:archive', '--before', before, '--to', archiveDir);
		for (const line of stdout.trim().split('\n').filter(Boolean)) console.log(`[demo] ${line}`);
		archivedBefore = before;
	} catch (error) {
		const e = error as { stderr?: string; message: string };
		// Nothing closed that long ago yet (the first days): nothing to do until tomorrow.
		if (/No day of the log before/.test(e.stderr ?? '')) {
			archivedBefore = before;
			return;
		}
		console.error(
			`[demo] archiving the log before ${before} failed: ${e.stderr?.trim() || e.message}`
		);
	} finally {
		archiving = false;
	}
}

await ready();
if (!stopping && !existsSync(tokensFile)) {
	console.log(
		'[demo] issuing a device token for every simulated Pantarlih through the server (first start only, about a minute)'
	);
	mkdirSync(path.dirname(tokensFile), { recursive: true });
	// --replace: a first start cut short may have enrolled some phones, whose tokens only it knew.
	await cli('token:bulk', '--region', 'id', '--out', `${tokensFile}.partial`, '--replace');
	renameSync(`${tokensFile}.partial`, tokensFile);
}
if (!stopping) {
	const tokens = readTokens(tokensFile);
	simulator = new Simulator({
		url,
		tokens,
		behaviour: DEFAULT_BEHAVIOUR,
		maxRate,
		concurrency: Number(values.concurrency),
		reportEveryMs: 30_000,
		centres: regencyCentres(),
		log: (line) => {
			console.log(`${line} · data ${gigabytes(folderSize(dataDir))}`);
			if (simulator) void archiveClosedDays(simulator.now());
		}
	});
	await simulator.start();
	console.log(
		`\n[demo] ${formatNumber(tokens.length)} simulated phones are syncing, clock ${speed}x (a day in ${Math.round(1440 / speed)} min).` +
			`\n[demo] Open ${process.env.ORIGIN ?? `http://localhost:${port}`} and sign in with a demo login above. Ctrl-C stops.\n`
	);
}
