import { AppError } from '../../domain/errors';
import { translator } from '../../i18n';
import { ConfigError } from '../platform/env';
import { StartupError } from '../platform/startup-error';
import { UsageError } from './usage-error';

const english = translator('en');

/** One line (or a short block) a person can act on; a stack trace only for the unexpected. */
export function describeError(error: unknown): string {
	if (error instanceof AppError) return english(`problem.${error.problem}`, error.values);
	if (error instanceof StartupError) return error.describe();
	if (error instanceof ConfigError || error instanceof UsageError) return error.message;
	return (error as Error)?.stack ?? String(error);
}
