/**
 * A witness's judgement, pure: given the checkpoint it kept last time and the one the log serves
 * now (with the consistency proof between them), cosign only if the new one is signed by the
 * pinned log key and extends the old one; a smaller tree, or another root for the same or a
 * consistent size, is a fork, said as such. The CLI's `witness` does the fetching and storing.
 */
import { verifyConsistency, type Hash } from './merkle';
import { parseCheckpoint, parseNote, verifyNote, type Checkpoint, type Verifier } from './note';

export type WitnessVerdict =
	| { kind: 'cosign'; checkpoint: Checkpoint; grew: number }
	| { kind: 'refuse'; reason: string; fork: boolean };

/** The sizes whose consistency proof the witness needs (none for a first look or the same size). */
export function proofNeeded(
	previous: Checkpoint | null,
	next: Checkpoint
): [number, number] | null {
	if (!previous || previous.size === 0 || next.size <= previous.size) return null;
	return [previous.size, next.size];
}

export function judge(
	previous: Checkpoint | null,
	served: string,
	logKey: Verifier,
	proof: readonly Hash[]
): WitnessVerdict {
	let next: Checkpoint;
	try {
		const note = parseNote(served);
		if (!verifyNote(note, logKey))
			return {
				kind: 'refuse',
				reason: 'the checkpoint is not signed by the pinned log key',
				fork: false
			};
		next = parseCheckpoint(note.text);
	} catch (error) {
		return {
			kind: 'refuse',
			reason: `unreadable checkpoint: ${(error as Error).message}`,
			fork: false
		};
	}
	if (next.origin !== logKey.name)
		return {
			kind: 'refuse',
			reason: `the checkpoint is of ${next.origin}, not ${logKey.name}`,
			fork: false
		};
	if (!previous) return { kind: 'cosign', checkpoint: next, grew: next.size };
	if (next.size < previous.size)
		return {
			kind: 'refuse',
			fork: true,
			reason: `THE LOG SHRANK: it served a tree of ${next.size} after one of ${previous.size}`
		};
	if (next.size === previous.size) {
		if (Buffer.compare(next.root, previous.root) !== 0)
			return {
				kind: 'refuse',
				fork: true,
				reason: `THE LOG FORKED: two roots for the tree of ${next.size}`
			};
		return { kind: 'cosign', checkpoint: next, grew: 0 };
	}
	if (!verifyConsistency(previous.size, next.size, proof, previous.root, next.root))
		return {
			kind: 'refuse',
			fork: true,
			reason: `THE LOG FORKED: the tree of ${next.size} does not extend the tree of ${previous.size} this witness saw`
		};
	return { kind: 'cosign', checkpoint: next, grew: next.size - previous.size };
}
