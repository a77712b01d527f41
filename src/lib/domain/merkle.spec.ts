import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
	allTiles,
	consistencyProof,
	emptyRoot,
	grownTiles,
	inclusionProof,
	leafHash,
	parseTilePath,
	tilePath,
	tileReader,
	tilesForGrowth,
	tilesRead,
	treeRoot,
	verifyConsistency,
	verifyInclusion,
	type Hash,
	type SubtreeReader
} from './merkle';

// A second, deliberately naive implementation, written from RFC 6962 §2.1's definitions over
// D[lo:hi] of one list of entries (no subtree reader, no tiles), to derive the test vectors from.
// Only MTH is remembered per (lo, hi), so that every pair of sizes up to 300 stays quick.
const sha = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const largestPowerBelow = (n: number) => {
	let k = 1;
	while (k < n) k <<= 1;
	return k >> 1;
};
function naiveOver(d: Buffer[]) {
	const memo = new Map<string, Buffer>();
	const mth = (lo: number, hi: number): Buffer => {
		const key = `${lo}:${hi}`;
		let value = memo.get(key);
		if (value) return value;
		if (hi === lo) value = sha();
		else if (hi - lo === 1) value = sha(Buffer.from([0]), d[lo]);
		else {
			const k = largestPowerBelow(hi - lo);
			value = sha(Buffer.from([1]), mth(lo, lo + k), mth(lo + k, hi));
		}
		memo.set(key, value);
		return value;
	};
	const path = (m: number, lo: number, hi: number): Buffer[] => {
		if (hi - lo <= 1) return [];
		const k = largestPowerBelow(hi - lo);
		return m < k
			? [...path(m, lo, lo + k), mth(lo + k, hi)]
			: [...path(m - k, lo + k, hi), mth(lo, lo + k)];
	};
	const subproof = (m: number, lo: number, hi: number, b: boolean): Buffer[] => {
		if (m === hi - lo) return b ? [] : [mth(lo, hi)];
		const k = largestPowerBelow(hi - lo);
		return m <= k
			? [...subproof(m, lo, lo + k, b), mth(lo + k, hi)]
			: [...subproof(m - k, lo + k, hi, false), mth(lo, lo + k)];
	};
	return { mth, path, subproof };
}

const MAX = 300;
const entries = Array.from({ length: MAX + 1 }, (_, i) => Buffer.from(`{"entry":${i}}\n`));
const leaves: Hash[] = entries.map((e) => leafHash(e));
const hex = (hs: readonly Uint8Array[]) => hs.map((h) => Buffer.from(h).toString('hex'));

// The naive roots and proofs of every size, computed once (memoised by size).
const naive = naiveOver(entries);
const roots = Array.from({ length: MAX + 2 }, (_, n) => naive.mth(0, n));

/** A reader straight from the leaves (no tiles). */
const leafReader: SubtreeReader = (height, index) =>
	naive.mth(index * 2 ** height, (index + 1) * 2 ** height);

const tiles = allTiles(leaves);
const tileHashes = tileReader(tiles);
const remembered = new Map<string, Hash>();
/** The tile reader, each subtree hashed up from its tile once (the proofs ask again and again). */
const fromTiles: SubtreeReader = (height, index) => {
	const key = `${height}/${index}`;
	let hash = remembered.get(key);
	if (!hash) remembered.set(key, (hash = tileHashes(height, index)));
	return hash;
};

describe('the tree of RFC 6962', () => {
	it('has the empty-tree hash of the RFC (SHA-256 of nothing)', () => {
		expect(Buffer.from(emptyRoot()).toString('hex')).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
		);
		expect(Buffer.from(treeRoot(fromTiles, 0)).toString('hex')).toBe(
			'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
		);
	});

	it('agrees with the naive root for every size 1..300, from leaves and from tiles', () => {
		for (let n = 1; n <= MAX; n++) {
			expect(hex([treeRoot(leafReader, n)])).toEqual(hex([roots[n]]));
			expect(hex([treeRoot(fromTiles, n)])).toEqual(hex([roots[n]]));
		}
	});

	it('proves every index of every size as the naive PATH does, and the proofs verify', () => {
		for (let n = 1; n <= MAX; n++) {
			for (let m = 0; m < n; m++) {
				const path = inclusionProof(fromTiles, m, n);
				expect(hex(path)).toEqual(hex(naive.path(m, 0, n)));
				expect(verifyInclusion(leaves[m], m, n, path, roots[n])).toBe(true);
			}
		}
	});

	it('refuses an inclusion proof for another leaf, index, size or root, or with a hash changed', () => {
		for (const [m, n] of [
			[0, 1],
			[5, 7],
			[127, 128],
			[128, 129],
			[255, 300],
			[299, 300]
		]) {
			const path = inclusionProof(fromTiles, m, n);
			expect(verifyInclusion(leaves[(m + 1) % n], m, n, path, roots[n]) && n > 1).toBe(false);
			if (n > 1) expect(verifyInclusion(leaves[m], (m + 1) % n, n, path, roots[n])).toBe(false);
			expect(verifyInclusion(leaves[m], m, n + 1, path, roots[n + 1])).toBe(false);
			expect(verifyInclusion(leaves[m], m, n, path, roots[n - 1])).toBe(false);
			for (let i = 0; i < path.length; i++) {
				const bad = path.map((h) => new Uint8Array(h));
				bad[i][0] ^= 1;
				expect(verifyInclusion(leaves[m], m, n, bad, roots[n])).toBe(false);
			}
			expect(verifyInclusion(leaves[m], m, n, [...path, leaves[0]], roots[n])).toBe(false);
		}
	});

	it('proves consistency for every pair of sizes as the naive PROOF does, and the proofs verify', () => {
		for (let n = 1; n <= MAX; n++) {
			for (let m = 1; m <= n; m++) {
				const proof = consistencyProof(fromTiles, m, n);
				expect(hex(proof)).toEqual(hex(m === n ? [] : naive.subproof(m, 0, n, true)));
				expect(verifyConsistency(m, n, proof, roots[m], roots[n])).toBe(true);
			}
		}
	});

	it('refuses a consistency proof over another history (a fork), or with a hash changed', () => {
		const forked = naiveOver([
			...entries.slice(0, 100),
			Buffer.from('forged\n'),
			...entries.slice(101)
		]);
		const forkedRoot = (n: number) => forked.mth(0, n);
		for (const [m, n] of [
			[1, 101],
			[3, 107],
			[64, 165],
			[100, 101],
			[101, 300],
			[200, 257]
		]) {
			const proof = consistencyProof(fromTiles, m, n);
			expect(verifyConsistency(m, n, proof, roots[m], forkedRoot(n))).toBe(
				m <= 100 ? false : forkedRoot(n).equals(roots[n])
			);
			expect(verifyConsistency(m, n, proof, forkedRoot(m), roots[n])).toBe(m <= 100);
			for (let i = 0; i < proof.length; i++) {
				const bad = proof.map((h) => new Uint8Array(h));
				bad[i][31] ^= 0x80;
				expect(verifyConsistency(m, n, bad, roots[m], roots[n])).toBe(false);
			}
		}
		// A tree that shrank cannot be consistent with the larger one.
		expect(verifyConsistency(10, 9, [], roots[10], roots[9])).toBe(false);
	});
});

describe('tiles', () => {
	it('grown step by step in uneven steps, equal the tiles built at once', () => {
		const grown = new Map<string, Uint8Array>();
		let size = 0;
		const big = Array.from({ length: 256 * 256 + 700 }, (_, i) => leafHash(`${i}`));
		for (const step of [1, 255, 1, 300, 256 * 256 - 600, 743]) {
			const to = size + step;
			// Level 0 as the sequencer writes it: leaves appended to their tile.
			for (let i = size; i < to; i++) {
				const key = `0/${Math.floor(i / 256)}`;
				const held = grown.get(key) ?? new Uint8Array(0);
				const next = new Uint8Array(held.length + 32);
				next.set(held);
				next.set(big[i], held.length);
				grown.set(key, next);
			}
			const read = new Map(
				tilesForGrowth(size, to).map((t) => [
					`${t.level}/${t.index}`,
					grown.get(`${t.level}/${t.index}`)!
				])
			);
			for (const [key, value] of grownTiles(size, to, read)) grown.set(key, value);
			size = to;
			expect(hex([treeRoot(tileReader(grown), size)])).toEqual(
				hex([treeRoot(tileReader(allTiles(big.slice(0, size))), size)])
			);
		}
		const whole = allTiles(big);
		expect([...grown.keys()].sort()).toEqual([...whole.keys()].sort());
		for (const [key, value] of whole) expect(Buffer.from(grown.get(key)!).equals(value)).toBe(true);
		expect(whole.get('2/0')!.length).toBe(32);
	});

	it('says which tiles a proof reads before it is computed', () => {
		const needed = tilesRead((read) => inclusionProof(read, 3, 300));
		expect(needed.map((t) => `${t.level}/${t.index}`).sort()).toEqual(['0/0', '0/1']);
	});

	it('are named as tlog-tiles names them', () => {
		expect(tilePath({ level: 0, index: 1234067 })).toBe('tile/0/x001/x234/067');
		expect(tilePath({ level: 1, index: 5 }, 17)).toBe('tile/1/005.p/17');
		expect(parseTilePath('tile/0/x001/x234/067')).toEqual({ level: 0, index: 1234067, width: 256 });
		expect(parseTilePath('tile/1/005.p/17')).toEqual({ level: 1, index: 5, width: 17 });
		for (const bad of [
			'tile/0/1234',
			'tile/0/x1/234',
			'tile/0/005.p/256',
			'tile/0/005.p/0',
			'tile/0/x000/005'
		])
			expect(parseTilePath(bad)).toBeNull();
	});
});
