/** A command that cannot run as asked, or whose check failed: one line for the person, no stack. */
export class UsageError extends Error {
	override name = 'UsageError';
}
