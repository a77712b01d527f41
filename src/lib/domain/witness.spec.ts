import { describe, expect, it } from 'vitest';
import { allTiles, consistencyProof, leafHash, tileReader, treeRoot } from './merkle';
import { checkpointText, newSigner, parseCheckpoint, parseVerifier, signNote } from './note';
import { judge, proofNeeded } from './witness';

const log = newSigner('pantau.test/log', 0x01, new Uint8Array(32).fill(1));
const key = parseVerifier(log.text);
const leaves = Array.from({ length: 40 }, (_, i) => leafHash(`line ${i}\n`));
const forked = leaves.map((l, i) => (i === 5 ? leafHash('forged\n') : l));
const tree = (ls: Uint8Array[], n: number) => treeRoot(tileReader(allTiles(ls)), n);
const served = (ls: Uint8Array[], n: number) =>
	signNote(checkpointText(log.name, n, tree(ls, n)), log);
const kept = (ls: Uint8Array[], n: number) =>
	parseCheckpoint(checkpointText(log.name, n, tree(ls, n)));
const proof = (ls: Uint8Array[], m: number, n: number) =>
	consistencyProof(tileReader(allTiles(ls)), m, n);

describe('a witness', () => {
	it('cosigns a first checkpoint, one that extends what it saw, and the same one again', () => {
		expect(judge(null, served(leaves, 10), key, [])).toMatchObject({ kind: 'cosign', grew: 10 });
		expect(proofNeeded(kept(leaves, 10), kept(leaves, 30))).toEqual([10, 30]);
		expect(judge(kept(leaves, 10), served(leaves, 30), key, proof(leaves, 10, 30))).toMatchObject({
			kind: 'cosign',
			grew: 20
		});
		expect(judge(kept(leaves, 30), served(leaves, 30), key, [])).toMatchObject({
			kind: 'cosign',
			grew: 0
		});
	});

	it('refuses, loudly, a log that forked or shrank', () => {
		// The log rewrote leaf 5 after the witness saw the tree of 10: no proof can join them.
		const verdict = judge(kept(leaves, 10), served(forked, 30), key, proof(forked, 10, 30));
		expect(verdict).toMatchObject({
			kind: 'refuse',
			fork: true,
			reason: expect.stringMatching(/FORKED/)
		});
		expect(judge(kept(leaves, 30), served(forked, 30), key, [])).toMatchObject({
			kind: 'refuse',
			fork: true
		});
		expect(judge(kept(leaves, 30), served(leaves, 20), key, [])).toMatchObject({
			kind: 'refuse',
			fork: true,
			reason: expect.stringMatching(/SHRANK/)
		});
	});

	it('refuses a checkpoint not signed by the pinned key', () => {
		const other = newSigner('pantau.test/log', 0x01, new Uint8Array(32).fill(2));
		const note = signNote(checkpointText(log.name, 10, tree(leaves, 10)), other);
		expect(judge(null, note, key, [])).toMatchObject({ kind: 'refuse', fork: false });
	});
});
