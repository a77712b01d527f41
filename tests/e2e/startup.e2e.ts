// Start-up failures of the real production entry: one clear line, exit code 1.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { expect, test } from '@playwright/test';
import { e2eDataDir } from '../config/playwright.config';

const run = promisify(execFile);

async function start(env: Record<string, string>) {
	const result = await run(process.execPath, ['src/server/main.js'], {
		env: { ...process.env, PORT: '4199', DATABASE_URL: '', ...env },
		timeout: 60_000
	}).then(
		() => ({ code: 0, stderr: '' }),
		(error: { code: number; stderr: string }) => error
	);
	return { code: result.code, lines: result.stderr.trim().split('\n') };
}

test('an unreachable DATABASE_URL stops start-up with one line saying what to fix', async () => {
	const { code, lines } = await start({ DATABASE_URL: 'postgres://pantau@127.0.0.1:1/pantau' });
	expect(code).toBe(1);
	expect(lines).toEqual([
		expect.stringMatching(
			/^pantau-coklit: cannot reach PostgreSQL at 127\.0\.0\.1:1\/pantau: connection refused\. Check DATABASE_URL/
		)
	]);
});

test('a bad setting is named with its value', async () => {
	const { code, lines } = await start({ SEED_PROVINCES: 'Jatim' });
	expect(code).toBe(1);
	expect(lines.join('\n')).toMatch(
		/invalid configuration:\n\s+SEED_PROVINCES="Jatim": must be two-digit/
	);
});

test('a second server on the same data folder is refused while the first runs', async () => {
	const { code, lines } = await start({ DATA_DIR: e2eDataDir });
	expect(code).toBe(1);
	expect(lines).toEqual([
		expect.stringContaining(
			`the embedded database in ${path.resolve(e2eDataDir)} is in use by a server`
		)
	]);
});
