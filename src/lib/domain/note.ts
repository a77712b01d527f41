/**
 * Signed notes, checkpoints, cosignatures and proofs as the C2SP specifications write them, pure
 * (Node's own Ed25519, no dependency):
 *
 * - signed-note: a text ending in "\n", a blank line, and one line per signature
 *   `— <key name> base64(4-byte key id || signature)`; an Ed25519 key's id is
 *   SHA-256(name || "\n" || 0x01 || public key)[:4]; a verifier key is
 *   `<name>+<hex key id>+base64(0x01 || public key)`; a signer key (never in the database)
 *   `PRIVATE+KEY+<name>+<hex key id>+base64(0x01 || 32-byte seed)`.
 * - tlog-checkpoint: the note's text is `<origin>\n<size>\n<base64 root>\n`.
 * - tlog-cosignature (Ed25519, type 0x04): the witness signs "cosignature/v1\ntime <t>\n" and the
 *   checkpoint's text; its signature is the 8-byte big-endian time then the 64-byte signature.
 * - tlog-proof: `c2sp.org/tlog-proof@v1`, `extra <base64>`, `index <n>`, the inclusion path one
 *   base64 hash a line, a blank line, then the signed checkpoint.
 */
import {
	createHash,
	createPrivateKey,
	createPublicKey,
	sign,
	verify,
	type KeyObject
} from 'node:crypto';
import { hashLines, leafHash, verifyInclusion, type Hash } from './merkle';

const ED25519 = 0x01;
const COSIGNATURE = 0x04;
const DASH = '\u2014';
const NAME = /^[^\s+]+$/;

/** The DER prefixes that wrap a raw 32-byte Ed25519 key for Node's KeyObject. */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

export class NoteError extends Error {
	override name = 'NoteError';
}

export function keyId(name: string, type: number, publicKey: Uint8Array): Buffer {
	return createHash('sha256')
		.update(Buffer.from(`${name}\n`, 'utf8'))
		.update(Uint8Array.of(type))
		.update(publicKey)
		.digest()
		.subarray(0, 4);
}

export interface Verifier {
	name: string;
	id: Buffer;
	/** 0x01 for a log's note key, 0x04 for a witness's cosignature key. */
	type: number;
	publicKey: Buffer;
	key: KeyObject;
	/** The verifier key text, `<name>+<hex id>+<base64>`. */
	text: string;
}

export interface Signer extends Verifier {
	privateKey: KeyObject;
	/** The signer key text (a secret: a file, never the database). */
	secret: string;
}

const publicKeyObject = (raw: Uint8Array) =>
	createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });

function verifierOf(name: string, type: number, publicKey: Buffer): Verifier {
	if (!NAME.test(name))
		throw new NoteError(`a key name has no spaces or "+": ${JSON.stringify(name)}`);
	const id = keyId(name, type, publicKey);
	return {
		name,
		id,
		type,
		publicKey,
		key: publicKeyObject(publicKey),
		text: `${name}+${id.toString('hex')}+${Buffer.concat([Uint8Array.of(type), publicKey]).toString('base64')}`
	};
}

/** A verifier key `<name>+<hex id>+<base64>`, checked (its id must match its key). */
export function parseVerifier(text: string): Verifier {
	const parts = /^([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
	if (!parts) throw new NoteError('a verifier key is <name>+<hex key id>+<base64 key>');
	const [, name, hex, b64] = parts;
	const raw = Buffer.from(b64, 'base64');
	if (raw.length !== 33 || (raw[0] !== ED25519 && raw[0] !== COSIGNATURE))
		throw new NoteError('only Ed25519 verifier keys (type 0x01 or 0x04) are supported');
	const verifier = verifierOf(name, raw[0], raw.subarray(1));
	if (verifier.id.toString('hex') !== hex.toLowerCase())
		throw new NoteError(
			`the key id ${hex} does not match the key (expected ${verifier.id.toString('hex')})`
		);
	return verifier;
}

/** A signer from its secret text; the public half is derived from the seed. */
export function parseSigner(text: string): Signer {
	const parts = /^PRIVATE\+KEY\+([^+\s]+)\+([0-9a-fA-F]{8})\+([A-Za-z0-9+/]+=*)$/.exec(text.trim());
	if (!parts) throw new NoteError('a signer key is PRIVATE+KEY+<name>+<hex key id>+<base64 seed>');
	const [, name, hex, b64] = parts;
	const raw = Buffer.from(b64, 'base64');
	if (raw.length !== 33 || (raw[0] !== ED25519 && raw[0] !== COSIGNATURE))
		throw new NoteError('only Ed25519 signer keys (type 0x01 or 0x04) are supported');
	const privateKey = createPrivateKey({
		key: Buffer.concat([PKCS8_PREFIX, raw.subarray(1)]),
		format: 'der',
		type: 'pkcs8'
	});
	const spki = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
	const verifier = verifierOf(name, raw[0], spki.subarray(SPKI_PREFIX.length));
	if (verifier.id.toString('hex') !== hex.toLowerCase())
		throw new NoteError('the signer key id does not match its key');
	return { ...verifier, privateKey, secret: text.trim() };
}

/** A new signer key of this name and type (its seed from the system's random source). */
export function newSigner(name: string, type: number, seed: Uint8Array): Signer {
	if (seed.length !== 32) throw new NoteError('an Ed25519 seed is 32 bytes');
	const probe = createPrivateKey({
		key: Buffer.concat([PKCS8_PREFIX, seed]),
		format: 'der',
		type: 'pkcs8'
	});
	const spki = createPublicKey(probe).export({ format: 'der', type: 'spki' });
	const id = keyId(name, type, spki.subarray(SPKI_PREFIX.length));
	return parseSigner(
		`PRIVATE+KEY+${name}+${id.toString('hex')}+${Buffer.concat([Uint8Array.of(type), seed]).toString('base64')}`
	);
}

export interface Signature {
	name: string;
	id: Buffer;
	/** What follows the key id: an Ed25519 signature, or a cosignature's time and signature. */
	bytes: Buffer;
	line: string;
}

export interface Note {
	text: string;
	signatures: Signature[];
}

/** A signed note split into its text and signature lines (nothing verified yet). */
export function parseNote(note: string): Note {
	const at = note.lastIndexOf('\n\n');
	if (at < 0 || !note.endsWith('\n'))
		throw new NoteError('a signed note is text, a blank line, then signatures');
	const text = note.slice(0, at + 1);
	const lines = note.slice(at + 2, -1).split('\n');
	const signatures = lines.map((line) => {
		const m = new RegExp(`^${DASH} (\\S+) ([A-Za-z0-9+/=]+)$`).exec(line);
		if (!m) throw new NoteError(`not a signature line: ${JSON.stringify(line.slice(0, 80))}`);
		const raw = Buffer.from(m[2], 'base64');
		if (raw.length < 5) throw new NoteError('a signature is too short');
		return { name: m[1], id: raw.subarray(0, 4), bytes: raw.subarray(4), line: `${line}\n` };
	});
	if (signatures.length === 0) throw new NoteError('a signed note has at least one signature');
	return { text, signatures };
}

const signatureLine = (signer: Verifier, bytes: Uint8Array) =>
	`${DASH} ${signer.name} ${Buffer.concat([signer.id, bytes]).toString('base64')}\n`;

/** The text signed by `signer` (a log key, type 0x01). */
export function signNote(text: string, signer: Signer): string {
	if (!text.endsWith('\n') || text.includes('\n\n'))
		throw new NoteError('a note text ends with one newline, no blank lines');
	return `${text}\n${signatureLine(signer, sign(null, Buffer.from(text, 'utf8'), signer.privateKey))}`;
}

/** Is one of the note's signatures `verifier`'s, and good? */
export function verifyNote(note: Note, verifier: Verifier): boolean {
	return note.signatures.some(
		(s) =>
			s.name === verifier.name &&
			s.id.equals(verifier.id) &&
			verifier.type === ED25519 &&
			s.bytes.length === 64 &&
			verify(null, Buffer.from(note.text, 'utf8'), verifier.key, s.bytes)
	);
}

export interface Checkpoint {
	origin: string;
	size: number;
	root: Hash;
	text: string;
}

export function checkpointText(origin: string, size: number, root: Hash): string {
	return `${origin}\n${size}\n${Buffer.from(root).toString('base64')}\n`;
}

export function parseCheckpoint(text: string): Checkpoint {
	const lines = text.split('\n');
	if (lines.length < 4 || lines.at(-1) !== '')
		throw new NoteError('a checkpoint is origin, size and root, one a line');
	const [origin, size, root] = lines;
	if (!/^(0|[1-9]\d{0,15})$/.test(size))
		throw new NoteError(`the tree size ${JSON.stringify(size)} is not a number`);
	const hash = Buffer.from(root, 'base64');
	if (hash.length !== 32 || hash.toString('base64') !== root)
		throw new NoteError('the root hash is not 32 bytes of base64');
	if (!origin) throw new NoteError('a checkpoint names its origin');
	if (lines.slice(3, -1).some((line) => line === ''))
		throw new NoteError('a checkpoint has no empty lines');
	return { origin, size: Number(size), root: new Uint8Array(hash), text };
}

const cosignedMessage = (checkpoint: string, time: number) =>
	Buffer.from(`cosignature/v1\ntime ${time}\n${checkpoint}`, 'utf8');

/** A witness's cosignature line over a checkpoint's text, at `time` (seconds). */
export function cosign(checkpoint: string, signer: Signer, time: number): string {
	if (signer.type !== COSIGNATURE) throw new NoteError('a cosignature key has type 0x04');
	const stamp = Buffer.alloc(8);
	stamp.writeBigUInt64BE(BigInt(time));
	const signature = sign(null, cosignedMessage(checkpoint, time), signer.privateKey);
	return signatureLine(signer, Buffer.concat([stamp, signature]));
}

/** The time of a good cosignature by `verifier` over the checkpoint text, or null. */
export function cosignatureTime(
	checkpoint: string,
	signature: Signature,
	verifier: Verifier
): number | null {
	if (
		verifier.type !== COSIGNATURE ||
		signature.name !== verifier.name ||
		!signature.id.equals(verifier.id)
	)
		return null;
	if (signature.bytes.length !== 72) return null;
	const time = Number(signature.bytes.readBigUInt64BE(0));
	return verify(null, cosignedMessage(checkpoint, time), verifier.key, signature.bytes.subarray(8))
		? time
		: null;
}

export interface Receipt {
	extra: Buffer | null;
	index: number;
	path: Hash[];
	/** The signed checkpoint, whole. */
	checkpoint: string;
}

export function receiptText({ extra, index, path, checkpoint }: Receipt): string {
	return (
		'c2sp.org/tlog-proof@v1\n' +
		(extra ? `extra ${extra.toString('base64')}\n` : '') +
		`index ${index}\n` +
		hashLines(path) +
		'\n' +
		checkpoint
	);
}

export function parseReceipt(text: string): Receipt {
	const at = text.indexOf('\n\n');
	if (!text.startsWith('c2sp.org/tlog-proof@v1\n') || at < 0)
		throw new NoteError('not a c2sp.org/tlog-proof@v1 proof');
	const lines = text.slice(0, at).split('\n').slice(1);
	let extra: Buffer | null = null;
	if (lines[0]?.startsWith('extra ')) extra = Buffer.from(lines.shift()!.slice(6), 'base64');
	const index = /^index (0|[1-9]\d{0,15})$/.exec(lines.shift() ?? '');
	if (!index) throw new NoteError('the proof has no index line');
	const path = lines.map((l) => {
		const h = Buffer.from(l, 'base64');
		if (h.length !== 32) throw new NoteError(`not a hash: ${JSON.stringify(l.slice(0, 60))}`);
		return new Uint8Array(h);
	});
	return { extra, index: Number(index[1]), path, checkpoint: text.slice(at + 2) };
}

export type ReceiptCheck =
	| { ok: true; index: number; size: number; line: string | null; checkpoint: Checkpoint }
	| { ok: false; reason: string };

/**
 * Checks a receipt offline against the log's pinned verifier key: the checkpoint is signed by that
 * key, and the line (the receipt's `extra`, or one given) is the leaf at the index of that tree.
 */
export function checkReceipt(text: string, logKey: Verifier, line?: string): ReceiptCheck {
	try {
		const receipt = parseReceipt(text);
		const note = parseNote(receipt.checkpoint);
		if (!verifyNote(note, logKey))
			return {
				ok: false,
				reason: `the checkpoint is not signed by ${logKey.name}+${logKey.id.toString('hex')}`
			};
		const checkpoint = parseCheckpoint(note.text);
		if (checkpoint.origin !== logKey.name)
			return {
				ok: false,
				reason: `the checkpoint is of log ${checkpoint.origin}, not ${logKey.name}`
			};
		const data = line ?? receipt.extra?.toString('utf8') ?? null;
		if (data === null)
			return { ok: false, reason: 'the receipt carries no line; give the heartbeat line' };
		if (
			!verifyInclusion(
				leafHash(data),
				receipt.index,
				checkpoint.size,
				receipt.path,
				checkpoint.root
			)
		)
			return {
				ok: false,
				reason: `the line is not at index ${receipt.index} of the tree of ${checkpoint.size}`
			};
		return { ok: true, index: receipt.index, size: checkpoint.size, line: data, checkpoint };
	} catch (error) {
		if (error instanceof NoteError) return { ok: false, reason: error.message };
		throw error;
	}
}

/** Which registered witnesses cosigned the checkpoint closing a day (or a later one, which vouches for it). */
export interface Witnessed {
	/** The size of the checkpoint closing the day (the latest while none has); null when none is signed. */
	treeSize: number | null;
	/** Each witness's label and when its cosignature was received (the application's clock). */
	witnesses: { label: string; at: number }[];
}
