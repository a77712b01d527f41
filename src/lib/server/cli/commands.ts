/**
 * CLI commands. Each runs against an open database and writes lines through `out`, so the same
 * code serves `npm run cli` directly and through a running embedded server's socket.
 */
import { parseArgs } from 'node:util';
import type { DatabaseHandle } from '../db/client';
import { levelCounts, seed } from '../seed';

export interface CommandContext {
	handle: DatabaseHandle;
	out: (line: string) => void;
}

export class UsageError extends Error {
	override name = 'UsageError';
}

interface Command {
	summary: string;
	usage: string;
	run(ctx: CommandContext, args: string[]): Promise<void>;
}

const numbers = new Intl.NumberFormat('en-US');

export const commands: Record<string, Command> = {
	seed: {
		summary: 'load the 2024 hierarchy and simulated people (idempotent)',
		usage: 'seed [--provinces 35,31]',
		async run({ handle, out }, args) {
			const { values } = parse(args, { provinces: { type: 'string' } });
			const provinces = values.provinces?.split(',').map((code) => code.trim());
			if (provinces?.some((code) => !/^\d{2}$/.test(code))) {
				throw new UsageError('--provinces takes two-digit codes separated by commas, e.g. 35,31');
			}
			await seed(handle, { provinces, log: out });
		}
	},
	stats: {
		summary: 'print counts per level',
		usage: 'stats',
		async run({ handle, out }, args) {
			parse(args, {});
			const counts = await levelCounts(handle);
			for (const [name, value] of Object.entries(counts)) {
				out(`${name.padEnd(10)} ${numbers.format(value).padStart(9)}`);
			}
		}
	}
};

export function helpText(): string {
	const lines = Object.values(commands).map((c) => `  ${c.usage.padEnd(34)} ${c.summary}`);
	return ['Usage: npm run cli -- <command> [options]', '', 'Commands:', ...lines].join('\n');
}

function parse<T extends Record<string, { type: 'string' | 'boolean' }>>(
	args: string[],
	options: T
) {
	try {
		return parseArgs({ args, options, allowPositionals: false, strict: true });
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}

export async function runCommand(ctx: CommandContext, argv: string[]): Promise<void> {
	const [name, ...args] = argv;
	const command = commands[name];
	if (!command)
		throw new UsageError(`unknown command ${JSON.stringify(name ?? '')}\n\n${helpText()}`);
	await command.run(ctx, args);
}
