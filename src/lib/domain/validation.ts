/** What a schema refused, said in one line that names the field (shared by every zod check). */
import type { z } from 'zod';

function fieldPath(path: readonly PropertyKey[]): string {
	return path.reduce<string>(
		(out, key) =>
			typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key),
		''
	);
}

/** The first problem, e.g. `heartbeats[0].verified: Invalid input: expected number, received string`. */
export function describeZodError(error: z.ZodError, whole = 'body'): string {
	const issue = error.issues[0];
	const field = fieldPath(issue.path) || whole;
	return issue.code === 'unrecognized_keys'
		? `unknown field ${issue.keys.map((k) => (field === whole ? k : `${field}.${k}`)).join(', ')}`
		: `${field}: ${issue.message}`;
}
