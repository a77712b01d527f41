import path from 'node:path';

/**
 * The application's root folder (the one holding drizzle/ and src/). The production entry and the
 * CLI set PANTAU_APP_ROOT from their own location; otherwise the working directory is used.
 */
export function appRoot(): string {
	return process.env.PANTAU_APP_ROOT ?? process.cwd();
}

export const appPath = (...parts: string[]) => path.join(appRoot(), ...parts);
