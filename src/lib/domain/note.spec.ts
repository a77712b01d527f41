import { describe, expect, it } from 'vitest';
import {
	checkpointText,
	cosign,
	cosignatureTime,
	newSigner,
	NoteError,
	parseCheckpoint,
	parseNote,
	parseReceipt,
	parseSigner,
	parseVerifier,
	receiptText,
	signNote,
	verifyNote
} from './note';

const seed = (n: number) => Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + n) % 256);
const log = newSigner('pantau.example/log', 0x01, seed(1));
const other = newSigner('pantau.example/log', 0x01, seed(2));
const witness = newSigner('bawaslu.example/w1', 0x04, seed(3));
const root = new Uint8Array(32).fill(9);

describe('signed notes', () => {
	it('sign a checkpoint that verifies with the log key and no other', () => {
		const note = signNote(checkpointText('pantau.example/log', 1234, root), log);
		expect(note).toMatch(
			/^pantau\.example\/log\n1234\nCQkJ[^\n]+=\n\n\u2014 pantau\.example\/log \S+\n$/
		);
		const parsed = parseNote(note);
		expect(verifyNote(parsed, parseVerifier(log.text))).toBe(true);
		expect(verifyNote(parsed, parseVerifier(other.text))).toBe(false);
		const changed = parseNote(note.replace('1234', '1235'));
		expect(verifyNote(changed, parseVerifier(log.text))).toBe(false);
		expect(parseCheckpoint(parsed.text)).toMatchObject({
			origin: 'pantau.example/log',
			size: 1234
		});
	});

	it('keep key ids as the spec computes them, and refuse a verifier key whose id does not match', () => {
		expect(log.text).toMatch(/^pantau\.example\/log\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
		expect(parseSigner(log.secret).text).toBe(log.text);
		const [, name, id, key] = /^([^+]+)\+([0-9a-f]{8})\+(.+)$/.exec(log.text)!;
		const wrongId = `${name}+${id === '00000000' ? '00000001' : '00000000'}+${key}`;
		expect(() => parseVerifier(wrongId)).toThrow(NoteError);
		expect(() => parseVerifier('no-plus-signs')).toThrow(/verifier key/);
	});

	it('refuse malformed notes and checkpoints with a reason', () => {
		expect(() => parseNote('text without signatures\n')).toThrow(NoteError);
		expect(() => parseNote('a\n\nnot a signature\n')).toThrow(/signature line/);
		expect(() => parseCheckpoint('o\n-1\nAAAA\n')).toThrow(/size/);
		expect(() => parseCheckpoint('o\n1\nAAAA\n')).toThrow(/root/);
	});
});

describe('cosignatures', () => {
	it('verify with the witness key at the time they carry, and not over another checkpoint', () => {
		const text = checkpointText('pantau.example/log', 10, root);
		const line = cosign(text, witness, 1_790_000_000);
		const signature = parseNote(`${signNote(text, log)}${line}`).signatures[1];
		expect(cosignatureTime(text, signature, parseVerifier(witness.text))).toBe(1_790_000_000);
		const other = checkpointText('pantau.example/log', 11, root);
		expect(cosignatureTime(other, signature, parseVerifier(witness.text))).toBeNull();
		expect(() => cosign(text, log, 1)).toThrow(/0x04/);
	});
});

describe('receipts', () => {
	it('write and read back a tlog-proof', () => {
		const checkpoint = signNote(checkpointText('pantau.example/log', 3, root), log);
		const receipt = {
			extra: Buffer.from('{"id":"x"}\n'),
			index: 2,
			path: [root, root],
			checkpoint
		};
		const text = receiptText(receipt);
		expect(text.startsWith('c2sp.org/tlog-proof@v1\nextra eyJpZCI6IngifQo=\nindex 2\n')).toBe(true);
		expect(parseReceipt(text)).toEqual({ ...receipt, path: [root, root] });
		expect(() => parseReceipt('c2sp.org/tlog-proof@v1\nindex x\n\n' + checkpoint)).toThrow(/index/);
	});
});
