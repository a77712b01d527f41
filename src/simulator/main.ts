/**
 * `npm run simulate -- --url <server> --tokens <file> [options]`: the e-Coklit fleet, as a
 * separate process that speaks only the public API. Device tokens come from the CLI
 * (`npm run cli -- token:bulk --region <code> --out <file>`); time comes from the server's clock
 * (GET /api/v1/clock), which the demo compresses (CLOCK_SPEED).
 */
import { parseArgs } from 'node:util';
import { DEFAULT_BEHAVIOUR } from './model';
import { regencyCentres } from './places';
import { Simulator } from './run';
import { readTokens } from './tokens';

const USAGE = `usage: npm run simulate -- --url <server> --tokens <tps,token CSV> [options]
  --max-rate <n>     paced mode: at most n requests a second (default 500)
  --rate <n>         load mode: n heartbeats a second instead of the paced model
  --batch <1..500>   load mode: heartbeats per request (default 1)
  --concurrency <n>  requests in flight (default 32)
  --duration <s>     stop after s seconds (default: until Ctrl-C)
  --seed <n>         behaviour seed (default ${DEFAULT_BEHAVIOUR.seed})
  --speed <x>        expected clock speed: refuses to run if the server's clock differs
  --summary          print a JSON summary as the last line`;

function number(value: string | undefined, name: string, min: number, max: number) {
	if (value === undefined) return undefined;
	const n = Number(value);
	if (!Number.isFinite(n) || n < min || n > max) {
		throw new Error(
			`--${name} must be a number from ${min} to ${max}, not ${JSON.stringify(value)}`
		);
	}
	return n;
}

async function main() {
	const { values } = parseArgs({
		options: {
			url: { type: 'string' },
			tokens: { type: 'string' },
			'max-rate': { type: 'string' },
			rate: { type: 'string' },
			batch: { type: 'string' },
			concurrency: { type: 'string' },
			duration: { type: 'string' },
			seed: { type: 'string' },
			speed: { type: 'string' },
			summary: { type: 'boolean' },
			help: { type: 'boolean' }
		}
	});
	if (values.help) return console.log(USAGE);
	if (!values.url || !values.tokens) throw new Error(`--url and --tokens are required\n${USAGE}`);
	const tokens = readTokens(values.tokens);
	const seed = number(values.seed, 'seed', 0, 1_000_000) ?? DEFAULT_BEHAVIOUR.seed;
	const duration = number(values.duration, 'duration', 1, 30 * 86_400);
	const simulator = new Simulator({
		url: values.url,
		tokens,
		behaviour: { ...DEFAULT_BEHAVIOUR, seed },
		maxRate: number(values['max-rate'], 'max-rate', 1, 1_000_000) ?? 500,
		rate: number(values.rate, 'rate', 1, 10_000_000),
		batch: number(values.batch, 'batch', 1, 500) ?? 1,
		concurrency: number(values.concurrency, 'concurrency', 1, 10_000) ?? 32,
		durationMs: duration && duration * 1_000,
		centres: regencyCentres()
	});
	const speed = number(values.speed, 'speed', 1, 10_000);
	await simulator.start();
	if (speed !== undefined && simulator.speed !== speed) {
		await simulator.stop();
		throw new Error(
			`the server's clock runs at ${simulator.speed}x, not ${speed}x: start the server with DEMO=1 CLOCK_SPEED=${speed}`
		);
	}
	console.log(
		`[sim] ${tokens.length} phones against ${values.url}, clock ${simulator.speed}x, ` +
			(values.rate
				? `load mode ${values.rate} heartbeats/s`
				: `paced, at most ${values['max-rate'] ?? 500} requests/s`)
	);
	const stop = () => void simulator.stop();
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
	await simulator.finished;
	if (values.summary) console.log(`SUMMARY ${JSON.stringify(simulator.stats.summary())}`);
}

main().catch((error) => {
	console.error(`simulate: ${error instanceof Error ? error.message : error}`);
	process.exit(1);
});
