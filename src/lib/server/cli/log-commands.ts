/**
 * The transparency log's commands that need no database: keys, the witness an observer runs on
 * their own machine, and the offline check of a receipt. Each reads only files and the log's
 * public endpoints, and trusts only the log key it is given.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
	checkReceipt,
	cosign,
	newSigner,
	parseCheckpoint,
	parseSigner,
	parseVerifier,
	type Checkpoint
} from '../../domain/note';
import { parseHashLines } from '../../domain/merkle';
import { judge, proofNeeded } from '../../domain/witness';
import { writeSignerKey } from '../evidence/checkpoints';
import { parseOptions, UsageError } from './usage-error';

interface OfflineCommand {
	summary: string;
	usage: string;
	run(out: (line: string) => void, args: string[]): Promise<void>;
}

const readKeyText = async (given: string) =>
	given.includes('+') ? given : (await readFile(given, 'utf8')).trim();

async function fetchText(url: string, init?: RequestInit): Promise<string> {
	const response = await fetch(url, { ...init, signal: AbortSignal.timeout(30_000) });
	const text = await response.text();
	if (!response.ok)
		throw new UsageError(
			`${init?.method ?? 'GET'} ${url}: ${response.status} ${text.trim().slice(0, 300)}`
		);
	return text;
}

export const offlineCommands: Record<string, OfflineCommand> = {
	'log:keygen': {
		summary: "make the log's Ed25519 signer key file (0600) and print its public key",
		usage: 'log:keygen --out <file> [--origin <name>]',
		async run(out, args) {
			const { values } = parseOptions(args, {
				out: { type: 'string' },
				origin: { type: 'string' }
			});
			if (!values.out) throw new UsageError('--out <file> is required');
			const signer = await writeSignerKey(
				path.resolve(values.out),
				values.origin ?? 'pantau-coklit.local/log'
			).catch((error: NodeJS.ErrnoException) => {
				if (error.code === 'EEXIST')
					throw new UsageError(`${values.out} exists; a key is never overwritten`);
				throw error;
			});
			out(`signer key written to ${path.resolve(values.out)}; set LOG_KEY_FILE to it`);
			out(signer.text);
		}
	},
	'witness:keygen': {
		summary:
			"make a witness's own Ed25519 key file (0600) and print the public key an admin registers",
		usage: 'witness:keygen --name <name> --out <file>',
		async run(out, args) {
			const { values } = parseOptions(args, { name: { type: 'string' }, out: { type: 'string' } });
			if (!values.name || !values.out)
				throw new UsageError('--name <name> and --out <file> are required');
			const signer = newSigner(values.name, 0x04, randomBytes(32));
			const file = path.resolve(values.out);
			await mkdir(path.dirname(file), { recursive: true });
			await writeFile(file, `${signer.secret}\n`, { mode: 0o600, flag: 'wx' }).catch(
				(error: NodeJS.ErrnoException) => {
					if (error.code === 'EEXIST')
						throw new UsageError(`${values.out} exists; a key is never overwritten`);
					throw error;
				}
			);
			await chmod(file, 0o600);
			out(`witness key written to ${file}; give this public key to the log's admin (witness:add):`);
			out(signer.text);
		}
	},
	witness: {
		summary:
			'witness the log: check its latest checkpoint against the last one seen, refuse a fork loudly, cosign and post',
		usage: 'witness --log <url> --log-key <vkey|file> --key <file> [--state <file>]',
		async run(out, args) {
			const { values } = parseOptions(args, {
				log: { type: 'string' },
				'log-key': { type: 'string' },
				key: { type: 'string' },
				state: { type: 'string' }
			});
			if (!values.log || !values['log-key'] || !values.key)
				throw new UsageError('--log <url>, --log-key <vkey or file> and --key <file> are required');
			const base = values.log.replace(/\/$/, '');
			const logKey = parseVerifier(await readKeyText(values['log-key']));
			const me = parseSigner(await readFile(values.key, 'utf8'));
			const stateFile = values.state ?? `${values.key}.checkpoint`;
			const previous: Checkpoint | null = await readFile(stateFile, 'utf8').then(
				(text) => parseCheckpoint(text),
				(error: NodeJS.ErrnoException) => {
					if (error.code === 'ENOENT') return null;
					throw error;
				}
			);
			const served = await fetchText(`${base}/api/v1/log/checkpoint`);
			// The text the log signed (before the blank line); judge() checks its signature.
			const text = served.slice(0, served.indexOf('\n\n') + 1);
			let next: Checkpoint;
			try {
				next = parseCheckpoint(text);
			} catch (error) {
				throw new UsageError(`the log served no checkpoint: ${(error as Error).message}`);
			}
			const sizes = proofNeeded(previous, next);
			const proof = sizes
				? parseHashLines(
						await fetchText(`${base}/api/v1/log/consistency?from=${sizes[0]}&to=${sizes[1]}`)
					)
				: [];
			const verdict = judge(previous, served, logKey, proof);
			if (verdict.kind === 'refuse') {
				const loud = verdict.fork ? '!!! ' : '';
				throw new UsageError(
					`${loud}${verdict.reason}; nothing cosigned, the checkpoint kept is unchanged${verdict.fork ? ' (keep it: it is the evidence)' : ''}`
				);
			}
			// Stored before posting: the witness never goes back, whatever the post's fate. The text
			// kept and cosigned is the one judge() checked the signature of.
			const checked = verdict.checkpoint.text;
			await writeFile(`${stateFile}.new`, checked, { mode: 0o600 });
			await rename(`${stateFile}.new`, stateFile);
			const line = cosign(checked, me, Math.floor(Date.now() / 1000));
			const answer = await fetchText(`${base}/api/v1/log/cosignatures`, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: JSON.stringify({ note: `${served}${line}` })
			});
			out(
				`cosigned the tree of ${next.size} (${verdict.grew} new since the last check; ${previous ? `consistent with ${previous.size}` : 'first check'}) ${answer.trim()}`
			);
		}
	},
	'receipt:verify': {
		summary: "check a heartbeat's receipt offline against the log's pinned public key",
		usage: 'receipt:verify --file <receipt> --key <vkey|file> [--line <file>]',
		async run(out, args) {
			const { values } = parseOptions(args, {
				file: { type: 'string' },
				key: { type: 'string' },
				line: { type: 'string' }
			});
			if (!values.file || !values.key)
				throw new UsageError('--file <receipt> and --key <vkey or file> are required');
			const key = parseVerifier(await readKeyText(values.key));
			const line = values.line ? await readFile(values.line, 'utf8') : undefined;
			const result = checkReceipt(await readFile(values.file, 'utf8'), key, line);
			if (!result.ok) throw new UsageError(`the receipt does not verify: ${result.reason}`);
			out(
				`verified: heartbeat at index ${result.index} of the tree of ${result.size}, signed by ${key.name}`
			);
			out(`heartbeat: ${result.line!.trim()}`);
		}
	}
};
