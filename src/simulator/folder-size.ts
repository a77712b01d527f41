import { lstatSync, readdirSync } from 'node:fs';
import path from 'node:path';

/** Bytes under a folder (the demo's embedded database, its log, the archive, the tokens). */
export function folderSize(folder: string): number {
	let total = 0;
	for (const entry of readdirSync(folder, { withFileTypes: true })) {
		const full = path.join(folder, entry.name);
		try {
			if (entry.isDirectory()) total += folderSize(full);
			else total += lstatSync(full).size;
		} catch {
			// A file PostgreSQL removed meanwhile.
		}
	}
	return total;
}
