/**
 * Errors that stop start-up or a CLI command: the message says what is wrong, the hint how to
 * fix it, so that the operator reads one clear line instead of a stack trace.
 */
export class StartupError extends Error {
	override name = 'StartupError';
	constructor(
		message: string,
		readonly hint?: string,
		options?: { cause?: unknown }
	) {
		super(message, options);
	}

	/** One line for the console. */
	describe(): string {
		return this.hint ? `${this.message}. ${this.hint}` : this.message;
	}
}
