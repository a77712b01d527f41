/** Reads the `tps,token` file that `npm run cli -- token:bulk` writes. */
import { readFileSync } from 'node:fs';
import { simulatedTarget } from '../lib/domain/simulated';
import type { DeviceToken } from './run';

export function readTokens(file: string): DeviceToken[] {
	const lines = readFileSync(file, 'utf8').trim().split('\n');
	if (lines[0] !== 'tps,token') throw new Error(`${file} is not a token:bulk file (tps,token)`);
	return lines.slice(1).map((line) => {
		const [tps, token] = line.split(',');
		// The demo's and tests' targets are the seed's simulated ones.
		return { tps, token, target: simulatedTarget(tps) };
	});
}
