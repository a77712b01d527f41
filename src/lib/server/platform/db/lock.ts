/**
 * One process owns DATA_DIR (its embedded PostgreSQL, the CLI socket): a second server would stop
 * the first one's PostgreSQL as a leftover, or start another on the same files. The holder of the
 * folder writes its pid (and, for a server, the CLI socket it listens on) into a lock file created
 * with O_EXCL; a lock whose pid is no longer alive (a killed server) is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export interface LockInfo {
	pid: number;
	/** Unix socket where a running server accepts CLI commands. */
	socket?: string;
	role: 'server' | 'cli';
	since: string;
}

export class DataDirLockedError extends Error {
	override name = 'DataDirLockedError';
	constructor(
		readonly dataDir: string,
		readonly holder: LockInfo
	) {
		super(
			`the embedded database in ${dataDir} is in use by a ${holder.role} (pid ${holder.pid}, since ${holder.since})`
		);
	}
}

export const lockFile = (dataDir: string) => path.join(dataDir, 'pantau.lock');

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

export function readLock(dataDir: string): LockInfo | null {
	try {
		return JSON.parse(readFileSync(lockFile(dataDir), 'utf8')) as LockInfo;
	} catch {
		return null;
	}
}

/** Takes the folder or throws DataDirLockedError; returns the function that releases it. */
export function lockDataDir(dataDir: string, info: Omit<LockInfo, 'pid' | 'since'>): () => void {
	mkdirSync(dataDir, { recursive: true });
	const file = lockFile(dataDir);
	const mine: LockInfo = { ...info, pid: process.pid, since: new Date().toISOString() };
	for (let attempt = 0; attempt < 3; attempt++) {
		try {
			const fd = openSync(file, 'wx', 0o600);
			writeSync(fd, JSON.stringify(mine));
			closeSync(fd);
			return () => {
				if (readLock(dataDir)?.pid === process.pid) rmSync(file, { force: true });
			};
		} catch (error) {
			if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
			const holder = readLock(dataDir);
			if (holder && holder.pid !== process.pid && alive(holder.pid)) {
				throw new DataDirLockedError(dataDir, holder);
			}
			// Stale (its process is gone) or unreadable (a crash mid-write): take it over.
			rmSync(file, { force: true });
		}
	}
	throw new Error(`could not lock ${file}`);
}
