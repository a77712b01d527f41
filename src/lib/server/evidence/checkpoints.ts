/**
 * Signed checkpoints of the log: the signer key (a file, never the database), the log's public
 * keys (each from the tree size it first signed), and the periodic work that sequences what
 * waits, grows the tree and signs it while it grows.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { zoneOf } from '../../domain/calendar';
import { childLines } from '../../domain/evidence';
import { checkpointText, newSigner, parseSigner, signNote, type Signer } from '../../domain/note';
import { rows, type Database } from '../platform/db/client';
import { StartupError } from '../platform/startup-error';
import { head, integrate } from './tree';

/** The default origin (and key name) of a log whose server has no ORIGIN. */
export const DEFAULT_ORIGIN = 'pantau-coklit.local/log';

/** The log's origin line for a server at `origin` (a URL): its host and path, then /log. */
export function originFor(url: string | undefined): string {
	if (!url) return DEFAULT_ORIGIN;
	const u = new URL(url);
	return `${u.host}${u.pathname.replace(/\/$/, '')}/log`;
}

/** A new signer key file (0600); refuses to overwrite one. */
export async function writeSignerKey(file: string, origin: string): Promise<Signer> {
	const signer = newSigner(origin, 0x01, randomBytes(32));
	await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
	await writeFile(file, `${signer.secret}\n`, { mode: 0o600, flag: 'wx' });
	await chmod(file, 0o600);
	return signer;
}

/**
 * The signer: from `LOG_KEY_FILE` when set (it must exist), else from `<DATA_DIR>/keys/log.key`,
 * made there on first start.
 */
export async function loadSigner(
	configured: string | undefined,
	dataDir: string,
	origin: string,
	log: (line: string) => void
): Promise<Signer> {
	const file = configured ?? path.join(dataDir, 'keys', 'log.key');
	let text: string;
	try {
		text = await readFile(file, 'utf8');
	} catch (error) {
		if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
		if (configured)
			throw new StartupError(
				`LOG_KEY_FILE ${file} does not exist: make one with npm run cli -- log:keygen --out ${file}`
			);
		const made = await writeSignerKey(file, origin);
		log(
			`[log] made the log's signing key in ${file} (public key ${made.text}); keep a copy offline, and set LOG_KEY_FILE to keep it outside DATA_DIR`
		);
		return made;
	}
	try {
		return parseSigner(text);
	} catch (error) {
		throw new StartupError(
			`the log key in ${file} is not a signer key: ${(error as Error).message}`
		);
	}
}

/** Lists the signer's public key from the current tree size on, if it is new. */
export async function registerKey(db: Database, signer: Signer): Promise<void> {
	const h = await head(db);
	await db.execute(
		sql`insert into log_keys (verifier, first_size) values (${signer.text}, ${h.treeSize})
			on conflict (verifier) do nothing`
	);
}

export interface LogKey {
	verifier: string;
	firstSize: number;
}

export async function logKeys(db: Database): Promise<LogKey[]> {
	const found = await rows<{ verifier: string; first_size: string }>(
		db,
		sql`select verifier, first_size from log_keys order by first_size, added_at`
	);
	return found.map((k) => ({ verifier: k.verifier, firstSize: Number(k.first_size) }));
}

export interface StoredCheckpoint {
	treeSize: number;
	root: Uint8Array;
	/** The signed note, the log's signature only. */
	note: string;
	signedAt: number;
}

const toCheckpoint = (r: { tree_size: string; root: Buffer; note: string; signed_at: number }) => ({
	treeSize: Number(r.tree_size),
	root: new Uint8Array(r.root),
	note: r.note,
	signedAt: r.signed_at
});

/** The latest checkpoint, or the one of exactly `size`. */
export async function checkpointOf(db: Database, size?: number): Promise<StoredCheckpoint | null> {
	const [r] = await rows<{ tree_size: string; root: Buffer; note: string; signed_at: number }>(
		db,
		sql`select tree_size, root, note, round(extract(epoch from signed_at) * 1000)::float8 as signed_at
			from log_checkpoints ${size === undefined ? sql`` : sql`where tree_size = ${size}`}
			order by tree_size desc limit 1`
	);
	return r ? toCheckpoint(r) : null;
}

/** Signs the tree as it is, if no checkpoint has its size yet. Returns the checkpoint made. */
export async function signTree(db: Database, signer: Signer): Promise<StoredCheckpoint | null> {
	const h = await head(db);
	const last = await checkpointOf(db);
	if (last && last.treeSize >= h.treeSize) return null;
	const note = signNote(checkpointText(signer.name, h.treeSize, h.root), signer);
	const [made] = await rows<{ tree_size: string; root: Buffer; note: string; signed_at: number }>(
		db,
		sql`insert into log_checkpoints (tree_size, root, note) values (${h.treeSize}, ${Buffer.from(h.root)}, ${note})
			on conflict (tree_size) do nothing
			returning tree_size, root, note, round(extract(epoch from signed_at) * 1000)::float8 as signed_at`
	);
	return made ? toCheckpoint(made) : null;
}

/**
 * One turn of the log's work: the tree grows to the leaves sequenced, and a checkpoint is signed
 * if it grew. Several processes may run it; the integrator's lock keeps them apart.
 */
export async function advanceLog(db: Database, signer: Signer): Promise<StoredCheckpoint | null> {
	let grown = await integrate(db);
	while (grown && grown.treeSize < grown.size) grown = await integrate(db);
	return signTree(db, signer);
}

/** The digest binding a zone's frozen day: SHA-256 of `<province> <digest>\n` for its provinces. */
export async function zoneDayDigest(
	db: Database,
	zone: string,
	day: string
): Promise<{ digest: string; provinces: number } | null> {
	const found = await rows<{ code: string; digest: string | null }>(
		db,
		sql`select distinct on (s.region_code) s.region_code as code, s.digest
			from daily_snapshots s join regions r on r.code = s.region_code and r.level = 'province'
			where s.date = ${day} order by s.region_code, s.id desc`
	);
	const digests = new Map(
		found
			.filter((r) => zoneOf(r.code).name === zone && r.digest !== null)
			.map((r) => [r.code, r.digest!])
	);
	if (!found.some((r) => zoneOf(r.code).name === zone)) return null;
	return {
		digest: createHash('sha256').update(childLines(digests)).digest('hex'),
		provinces: digests.size
	};
}

/** The text of a day note: the log, the zone's day, the tree at its signing, the day's digest. */
export const dayNoteText = (
	origin: string,
	zone: string,
	day: string,
	tree: { treeSize: number; root: Uint8Array },
	digest: string
) =>
	`${origin}\nfrozen ${zone} ${day}\n${tree.treeSize}\n${Buffer.from(tree.root).toString('base64')}\n${digest}\n`;

/**
 * Signs a note for every zone's frozen day that has none yet (at start, and after a freeze and the
 * checkpoint that follows it, with the tree as it then is): the day's digests are bound to the log's signed history. Returns the days signed.
 */
export async function signFrozenDays(db: Database, signer: Signer): Promise<string[]> {
	// A zone's day is frozen in one transaction, all its regions at once: any province row of it
	// means the whole day is there.
	const frozen = await rows<{ day: string; code: string }>(
		db,
		sql`select distinct s.date::text as day, s.region_code as code from daily_snapshots s
			join regions r on r.code = s.region_code and r.level = 'province'`
	);
	const have = new Set(
		(
			await rows<{ key: string }>(
				db,
				sql`select zone || ' ' || day::text as key from log_day_notes`
			)
		).map((r) => r.key)
	);
	const missing = [...new Set(frozen.map((f) => `${zoneOf(f.code).name} ${f.day}`))]
		.filter((key) => !have.has(key))
		.sort((a, b) => a.split(' ')[1].localeCompare(b.split(' ')[1]));
	const signed: string[] = [];
	for (const key of missing) {
		const [zone, day] = key.split(' ');
		const bound = await zoneDayDigest(db, zone, day);
		if (!bound) continue;
		const tree = await head(db);
		const note = signNote(dayNoteText(signer.name, zone, day, tree, bound.digest), signer);
		await db.execute(
			sql`insert into log_day_notes (zone, day, note) values (${zone}, ${day}, ${note})
				on conflict do nothing`
		);
		signed.push(key);
	}
	return signed;
}

/** The signed notes of a day's zones. */
export async function dayNotes(
	db: Database,
	day: string
): Promise<{ zone: string; day: string; note: string }[]> {
	return rows<{ zone: string; day: string; note: string }>(
		db,
		sql`select zone, day::text as day, note from log_day_notes where day = ${day} order by zone`
	);
}
