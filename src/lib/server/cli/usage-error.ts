import { parseArgs } from 'node:util';

/** A command that cannot run as asked, or whose check failed: one line for the person, no stack. */
export class UsageError extends Error {
	override name = 'UsageError';
}

/** A command's options, strictly (no positionals); what parseArgs refuses is a UsageError. */
export function parseOptions<T extends Record<string, { type: 'string' | 'boolean' }>>(
	args: string[],
	options: T
) {
	try {
		return parseArgs({ args, options, allowPositionals: false, strict: true });
	} catch (error) {
		throw new UsageError((error as Error).message);
	}
}
