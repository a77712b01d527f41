/** Reads the project's copy of the 2024 hierarchy (KPU via KawalPemilu 2024). */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { parseWilayah, WilayahError, type WilayahFile } from '../../domain/wilayah';
import { StartupError } from '../platform/startup-error';
import { appPath } from '../platform/paths';

export const defaultWilayahPath = () =>
	appPath('src/lib/server/geography/data/wilayah-tps-2024.json.gz');

export async function loadWilayah(file = defaultWilayahPath()): Promise<WilayahFile> {
	let text: string;
	try {
		const bytes = await readFile(file);
		text = (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
	} catch (error) {
		throw new StartupError(
			`cannot read the hierarchy file ${file}: ${(error as Error).message}`,
			'Restore it from the repository (git checkout -- src/lib/server/geography/data)',
			{ cause: error }
		);
	}
	try {
		return parseWilayah(JSON.parse(text));
	} catch (error) {
		const reason =
			error instanceof WilayahError
				? error.message
				: `not valid JSON (${(error as Error).message})`;
		throw new StartupError(
			`the hierarchy file ${file} is unusable: ${reason}`,
			'Restore it from the repository (git checkout -- src/lib/server/geography/data)',
			{ cause: error }
		);
	}
}
