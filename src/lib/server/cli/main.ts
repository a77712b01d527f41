/**
 * `npm run cli -- <command>`. With DATABASE_URL it works on PostgreSQL directly, alongside a
 * running server. Without, it opens the embedded database if no process holds DATA_DIR, and
 * otherwise sends the command to the running server through its socket in DATA_DIR.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openConfiguredDatabase } from '../platform/db/configured';
import { DataDirLockedError, lockDataDir } from '../platform/db/lock';
import { config } from '../platform/env';
import { cliSocketPath } from '../runtime';
import { helpText, runCommand } from './commands';
import { describeError } from './describe-error';
import { sendCommand } from './socket';
import { offlineCommands } from './log-commands';

/** Options that name a file or folder: made absolute before a command goes to a running server. */
const PATH_OPTIONS = ['--out', '--to', '--file'];

process.env.PANTAU_APP_ROOT ??= path.resolve(
	path.dirname(fileURLToPath(import.meta.url)),
	'../../../..'
);

async function main(argv: string[]): Promise<number> {
	if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help') {
		console.log(helpText());
		return argv.length === 0 ? 1 : 0;
	}
	const out = (line: string) => console.log(line);
	// Keys, the witness and receipt checks need no database (an observer's own machine).
	const offline = offlineCommands[argv[0]];
	if (offline) {
		await offline.run(out, argv.slice(1));
		return 0;
	}
	const cfg = config();
	let unlock = () => {};
	if (!cfg.DATABASE_URL) {
		try {
			unlock = lockDataDir(cfg.DATA_DIR, { role: 'cli' });
		} catch (error) {
			if (!(error instanceof DataDirLockedError) || error.holder.role !== 'server') throw error;
			console.error(`[cli] ${error.message}; sending the command to it`);
			// File paths are the user's, relative to this shell, not to the server's folder.
			const absolute = argv.map((arg, i) =>
				PATH_OPTIONS.includes(argv[i - 1]) ||
				(argv[0] === 'import' && i > 0 && !arg.startsWith('--'))
					? path.resolve(arg)
					: arg
			);
			return sendCommand(error.holder.socket ?? cliSocketPath(cfg.DATA_DIR), absolute, out);
		}
	}
	try {
		const database = await openConfiguredDatabase({ ...cfg, DB_POOL_SIZE: 4 }, (line) =>
			console.error(line)
		);
		try {
			await runCommand({ handle: database.handle, out }, argv);
		} finally {
			await database.close();
		}
	} finally {
		unlock();
	}
	return 0;
}

main(process.argv.slice(2)).then(
	(code) => process.exit(code),
	(error) => {
		console.error(`pantau-coklit: ${describeError(error)}`);
		process.exit(1);
	}
);
