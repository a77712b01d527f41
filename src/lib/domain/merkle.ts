/**
 * The Merkle tree of the heartbeat log, pure: RFC 6962 §2.1 (RFC 9162 §2.1) hashing, proofs and
 * their verification, and the tlog-tiles layout the server keeps the tree in.
 *
 * - A leaf's hash is SHA-256(0x00 || canonical line) (evidence.ts canonicalLine), a node's
 *   SHA-256(0x01 || left || right); the empty tree's root is SHA-256 of nothing.
 * - Proofs are built from a `SubtreeReader`, which gives the hash of any complete subtree (2^h
 *   leaves starting at index·2^h). The server answers it from tiles; tests from a leaf array.
 * - Sizes and indexes are plain numbers (exact up to 2^53), halved with arithmetic, never with
 *   `>>` (which cuts at 2^31).
 */
import { createHash } from 'node:crypto';

export type Hash = Uint8Array;

export const HASH_BYTES = 32;
/** Hashes per tile (tlog-tiles: a tile is 8 levels of the tree). */
export const TILE_WIDTH = 256;
export const TILE_HEIGHT = 8;

const sha256 = (...parts: Uint8Array[]): Hash => {
	const h = createHash('sha256');
	for (const p of parts) h.update(p);
	return new Uint8Array(h.digest());
};

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

export const emptyRoot = (): Hash => sha256();
export const leafHash = (data: Uint8Array | string): Hash =>
	sha256(LEAF, typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
export const nodeHash = (left: Hash, right: Hash): Hash => sha256(NODE, left, right);

export const sameHash = (a: Hash, b: Hash): boolean =>
	a.length === b.length && Buffer.compare(a, b) === 0;

/** The hash of the complete subtree of height `height` whose leaves start at index·2^height. */
export type SubtreeReader = (height: number, index: number) => Hash;

/** The largest power of two strictly below n (n ≥ 2). */
export function splitPoint(n: number): number {
	let k = 1;
	while (k * 2 < n) k *= 2;
	return k;
}

const isPowerOfTwo = (n: number) => n >= 1 && 2 ** Math.round(Math.log2(n)) === n;
const odd = (n: number) => n % 2 === 1;
const half = (n: number) => Math.floor(n / 2);

/** MTH(D[start:end]) read from complete subtrees (start is always aligned where this is called). */
export function subtreeRoot(read: SubtreeReader, start: number, end: number): Hash {
	const n = end - start;
	if (n === 0) return emptyRoot();
	if (isPowerOfTwo(n) && start % n === 0) return read(Math.log2(n), start / n);
	const k = splitPoint(n);
	return nodeHash(subtreeRoot(read, start, start + k), subtreeRoot(read, start + k, end));
}

export const treeRoot = (read: SubtreeReader, size: number): Hash => subtreeRoot(read, 0, size);

/** PATH(index, D[start:end]) of RFC 6962 §2.1.1, leaf side first. */
export function inclusionProof(read: SubtreeReader, index: number, size: number): Hash[] {
	if (!(index >= 0 && index < size)) throw new RangeError(`index ${index} is not below ${size}`);
	const path: Hash[] = [];
	const walk = (m: number, start: number, end: number) => {
		const n = end - start;
		if (n === 1) return;
		const k = splitPoint(n);
		if (m < k) {
			walk(m, start, start + k);
			path.push(subtreeRoot(read, start + k, end));
		} else {
			walk(m - k, start + k, end);
			path.push(subtreeRoot(read, start, start + k));
		}
	};
	walk(index, 0, size);
	return path;
}

/** PROOF(first, D[second]) of RFC 6962 §2.1.2. */
export function consistencyProof(read: SubtreeReader, first: number, second: number): Hash[] {
	if (!(first >= 0 && first <= second))
		throw new RangeError(`size ${first} is not between 0 and ${second}`);
	if (first === 0 || first === second) return [];
	const proof: Hash[] = [];
	const sub = (m: number, start: number, end: number, complete: boolean) => {
		const n = end - start;
		if (m === n) {
			if (!complete) proof.push(subtreeRoot(read, start, end));
			return;
		}
		const k = splitPoint(n);
		if (m <= k) {
			sub(m, start, start + k, complete);
			proof.push(subtreeRoot(read, start + k, end));
		} else {
			sub(m - k, start + k, end, false);
			proof.push(subtreeRoot(read, start, start + k));
		}
	};
	sub(first, 0, second, true);
	return proof;
}

/** RFC 9162 §2.1.3.2: does `path` prove `leaf` at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
	leaf: Hash,
	index: number,
	size: number,
	path: readonly Hash[],
	root: Hash
): boolean {
	if (!(index >= 0 && index < size)) return false;
	let fn = index;
	let sn = size - 1;
	let r = leaf;
	for (const p of path) {
		if (sn === 0) return false;
		if (odd(fn) || fn === sn) {
			r = nodeHash(p, r);
			if (!odd(fn)) {
				while (!odd(fn) && fn !== 0) {
					fn = half(fn);
					sn = half(sn);
				}
			}
		} else r = nodeHash(r, p);
		fn = half(fn);
		sn = half(sn);
	}
	return sn === 0 && sameHash(r, root);
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree of `second` extends the tree of `first`? */
export function verifyConsistency(
	first: number,
	second: number,
	proof: readonly Hash[],
	firstRoot: Hash,
	secondRoot: Hash
): boolean {
	if (!(first >= 0 && first <= second)) return false;
	if (first === second) return proof.length === 0 && sameHash(firstRoot, secondRoot);
	if (first === 0) return proof.length === 0;
	if (proof.length === 0) return false;
	const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
	let fn = first - 1;
	let sn = second - 1;
	while (odd(fn)) {
		fn = half(fn);
		sn = half(sn);
	}
	let fr = path[0];
	let sr = path[0];
	for (const c of path.slice(1)) {
		if (sn === 0) return false;
		if (odd(fn) || fn === sn) {
			fr = nodeHash(c, fr);
			sr = nodeHash(c, sr);
			if (!odd(fn)) {
				while (!odd(fn) && fn !== 0) {
					fn = half(fn);
					sn = half(sn);
				}
			}
		} else sr = nodeHash(sr, c);
		fn = half(fn);
		sn = half(sn);
	}
	return sameHash(fr, firstRoot) && sameHash(sr, secondRoot) && sn === 0;
}

/** The root of a complete subtree over 2^k hashes (a full tile, or part of one). */
export function perfectRoot(hashes: readonly Hash[]): Hash {
	let level = [...hashes];
	while (level.length > 1) {
		const next: Hash[] = [];
		for (let i = 0; i < level.length; i += 2) next.push(nodeHash(level[i], level[i + 1]));
		level = next;
	}
	return level[0];
}

/** A tile's place: level L holds the hashes of complete subtrees of height 8·L. */
export interface TileId {
	level: number;
	index: number;
}

/**
 * Where a complete subtree's hash is found: the tile at level ⌊h/8⌋ holding the 2^(h mod 8)
 * entries it is made of, from `offset`.
 */
export function tileOf(height: number, index: number): TileId & { offset: number; count: number } {
	const level = Math.floor(height / TILE_HEIGHT);
	const count = 2 ** (height - level * TILE_HEIGHT);
	const first = index * count;
	return {
		level,
		index: Math.floor(first / TILE_WIDTH),
		offset: first % TILE_WIDTH,
		count
	};
}

/** Hashes as the log's endpoints write them: base64, one a line. */
export const hashLines = (hashes: readonly Hash[]): string =>
	hashes.map((h) => `${Buffer.from(h).toString('base64')}\n`).join('');

/** Hashes written one a line in base64 (a consistency proof); anything not 32 bytes is refused. */
export function parseHashLines(text: string): Hash[] {
	return text
		.split('\n')
		.filter(Boolean)
		.map((line) => {
			const hash = Buffer.from(line, 'base64');
			if (hash.length !== HASH_BYTES)
				throw new RangeError(`not a hash: ${JSON.stringify(line.slice(0, 60))}`);
			return new Uint8Array(hash);
		});
}

/** A SubtreeReader over tiles in hand (each the concatenated 32-byte hashes it holds). */
export function tileReader(tiles: ReadonlyMap<string, Uint8Array>): SubtreeReader {
	return (height, index) => {
		const at = tileOf(height, index);
		const tile = tiles.get(tileKey(at));
		if (!tile || tile.length < (at.offset + at.count) * HASH_BYTES) throw new MissingTileError(at);
		const hashes: Hash[] = [];
		for (let i = 0; i < at.count; i++) {
			const from = (at.offset + i) * HASH_BYTES;
			hashes.push(tile.subarray(from, from + HASH_BYTES));
		}
		return perfectRoot(hashes);
	};
}

export const tileKey = ({ level, index }: TileId): string => `${level}/${index}`;

export class MissingTileError extends Error {
	override name = 'MissingTileError';
	constructor(readonly tile: TileId) {
		super(`tile ${tileKey(tile)} is not in hand`);
	}
}

/**
 * The tiles a computation reads: runs it against a reader that answers any subtree with zeros
 * and notes where each would come from. The caller fetches them and runs it again for real.
 */
export function tilesRead(compute: (read: SubtreeReader) => unknown): TileId[] {
	const wanted = new Map<string, TileId>();
	compute((height, index) => {
		const at = tileOf(height, index);
		wanted.set(tileKey(at), { level: at.level, index: at.index });
		return new Uint8Array(HASH_BYTES);
	});
	return [...wanted.values()];
}

/** tlog-tiles path of a tile: `tile/<L>/<N>` with N in 3-digit groups (x001/x234/067). */
export function tilePath({ level, index }: TileId, width?: number): string {
	const digits = String(index).padStart(3, '0');
	const groups: string[] = [];
	for (let end = digits.length; end > 0; end -= 3)
		groups.unshift(digits.slice(Math.max(0, end - 3), end));
	while (groups[0].length < 3) groups[0] = groups[0].padStart(3, '0');
	const n = groups.map((g, i) => (i < groups.length - 1 ? `x${g}` : g)).join('/');
	return `tile/${level}/${n}${width !== undefined && width < TILE_WIDTH ? `.p/${width}` : ''}`;
}

/** The tile a tlog-tiles path names, or null. */
export function parseTilePath(path: string): (TileId & { width: number }) | null {
	const m = /^tile\/(\d{1,2})\/((?:x\d{3}\/)*\d{3})(?:\.p\/(\d{1,3}))?$/.exec(path);
	if (!m) return null;
	const index = Number(m[2].replaceAll('x', '').replaceAll('/', ''));
	const width = m[3] === undefined ? TILE_WIDTH : Number(m[3]);
	if (!Number.isSafeInteger(index) || !(width >= 1 && width <= TILE_WIDTH)) return null;
	if (m[3] !== undefined && width === TILE_WIDTH) return null;
	const level = Number(m[1]);
	if (tilePath({ level, index }, width) !== path) return null;
	return { level, index, width };
}

const concat = (a: Uint8Array | undefined, b: readonly Hash[]): Uint8Array => {
	const out = new Uint8Array((a?.length ?? 0) + b.length * HASH_BYTES);
	if (a) out.set(a, 0);
	b.forEach((h, i) => out.set(h, (a?.length ?? 0) + i * HASH_BYTES));
	return out;
};

const entriesOf = (tile: Uint8Array): Hash[] => {
	const out: Hash[] = [];
	for (let i = 0; i < tile.length; i += HASH_BYTES) out.push(tile.subarray(i, i + HASH_BYTES));
	return out;
};

/**
 * The tiles above level 0 that change when the tree grows from `from` to `to` leaves. Level 0
 * (the leaf hashes) is written as leaves are sequenced; each tile of level L ≥ 1 holds the roots
 * of the complete tiles of level L-1. `tiles` holds what is read: every level-0 tile completed
 * by the growth, and each level's partial tile at `from`. Returns the changed tiles by key.
 */
export function grownTiles(
	from: number,
	to: number,
	tiles: ReadonlyMap<string, Uint8Array>
): Map<string, Uint8Array> {
	const changed = new Map<string, Uint8Array>();
	const tile = (id: TileId) => changed.get(tileKey(id)) ?? tiles.get(tileKey(id));
	for (let level = 1; TILE_WIDTH ** level <= to; level++) {
		const before = Math.floor(from / TILE_WIDTH ** level);
		const after = Math.floor(to / TILE_WIDTH ** level);
		for (let entry = before; entry < after;) {
			const into: TileId = { level, index: Math.floor(entry / TILE_WIDTH) };
			const last = Math.min(after, (into.index + 1) * TILE_WIDTH);
			const roots: Hash[] = [];
			for (; entry < last; entry++) {
				const below = tile({ level: level - 1, index: entry });
				if (!below || below.length !== TILE_WIDTH * HASH_BYTES)
					throw new MissingTileError({ level: level - 1, index: entry });
				roots.push(perfectRoot(entriesOf(below)));
			}
			const held = tile(into);
			const expected =
				(Math.floor(before / TILE_WIDTH) === into.index ? before % TILE_WIDTH : 0) * HASH_BYTES;
			if ((held?.length ?? 0) !== expected) throw new MissingTileError(into);
			changed.set(tileKey(into), concat(held, roots));
		}
	}
	return changed;
}

/** The tiles a growth from `from` to `to` reads (see grownTiles). */
export function tilesForGrowth(from: number, to: number): TileId[] {
	const wanted: TileId[] = [];
	for (let level = 1; TILE_WIDTH ** level <= to; level++) {
		const before = Math.floor(from / TILE_WIDTH ** level);
		const after = Math.floor(to / TILE_WIDTH ** level);
		if (after === before) continue;
		if (before % TILE_WIDTH !== 0) wanted.push({ level, index: Math.floor(before / TILE_WIDTH) });
		if (level === 1) for (let e = before; e < after; e++) wanted.push({ level: 0, index: e });
	}
	return wanted;
}

/** Every tile of a tree over `leaves`, built at once (tests, and rebuilding a tree to compare). */
export function allTiles(leaves: readonly Hash[]): Map<string, Uint8Array> {
	const tiles = new Map<string, Uint8Array>();
	for (let i = 0; i < leaves.length; i += TILE_WIDTH)
		tiles.set(
			tileKey({ level: 0, index: i / TILE_WIDTH }),
			concat(undefined, leaves.slice(i, i + TILE_WIDTH))
		);
	for (const [key, value] of grownTiles(0, leaves.length, tiles)) tiles.set(key, value);
	return tiles;
}
