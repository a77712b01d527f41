/**
 * The README's first command (`npm run demo`, after install and build): the production server on
 * the embedded database with the national geography, demo logins and a compressed clock, and
 * the field simulator playing the coklit month against it through the public API. Ctrl-C stops
 * both; running it again resumes where it stopped (the clock and the data live in DATA_DIR).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatNumber } from '../lib/format';
import { DEFAULT_BEHAVIOUR } from './model';
import { regencyCentres } from './places';
import { Simulator } from './run';
import { readTokens } from './tokens';

const { values } = parseArgs({
	options: {
		speed: { type: 'string', default: '120' },
		'max-rate': { type: 'string', default: '10000' },
		concurrency: { type: 'string', default: '128' },
		'start-day': { type: 'string', default: '1' }
	}
});
const speed = Number(values.speed);
const maxRate = Number(values['max-rate']);
if (!(speed >= 1 && speed <= 10_000)) throw new Error('--speed must be 1 to 10000');
if (!(maxRate >= 1)) throw new Error('--max-rate must be a positive number');

const port = Number(process.env.PORT || 3000);
const dataDir = path.resolve(process.env.DATA_DIR || './data');
const url = `http://127.0.0.1:${port}`;
const tokensFile = path.join(dataDir, 'simulator', 'device-tokens.csv');

const cli = (...args: string[]) =>
	execFileSync(path.join('node_modules', '.bin', 'tsx'), ['src/lib/server/cli/main.ts', ...args], {
		env: { ...process.env, DATA_DIR: dataDir },
		stdio: 'inherit'
	});

if (!existsSync(tokensFile)) {
	// First start: load the country and enrol every simulated phone through the CLI, as an operator
	// would, before the server (and with it the demo clock) starts.
	cli('seed');
	console.log(
		'[demo] issuing a device token for every simulated Pantarlih (first start only, about a minute)'
	);
	mkdirSync(path.dirname(tokensFile), { recursive: true });
	// --replace: a first start cut short may have enrolled some phones, whose tokens only it knew.
	cli('token:bulk', '--region', 'id', '--out', `${tokensFile}.partial`, '--replace');
	renameSync(`${tokensFile}.partial`, tokensFile);
}

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
		await new Promise((resolve) => setTimeout(resolve, 500));
	}
}

await ready();
if (!stopping) {
	const tokens = readTokens(tokensFile);
	simulator = new Simulator({
		url,
		tokens,
		behaviour: DEFAULT_BEHAVIOUR,
		maxRate,
		concurrency: Number(values.concurrency),
		reportEveryMs: 30_000,
		centres: regencyCentres()
	});
	await simulator.start();
	console.log(
		`\n[demo] ${formatNumber(tokens.length)} simulated phones are syncing, clock ${speed}x (a day in ${Math.round(1440 / speed)} min).` +
			`\n[demo] Open ${process.env.ORIGIN ?? `http://localhost:${port}`} and sign in with a demo login above. Ctrl-C stops.\n`
	);
}
