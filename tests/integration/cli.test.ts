import { execFile, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tempDir } from '../fixtures/temp';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { hashToken } from '../../src/lib/server/platform/tokens';
import { openDatabase, rows } from '../../src/lib/server/platform/db/client';
import { openConfiguredDatabase } from '../../src/lib/server/platform/db/configured';
import {
	DataDirLockedError,
	lockDataDir,
	lockFile,
	readLock
} from '../../src/lib/server/platform/db/lock';
import { resetConfig } from '../../src/lib/server/platform/env';
import { StartupError } from '../../src/lib/server/platform/startup-error';
import { startServices, stopServices } from '../../src/lib/server/runtime';
import { expectedCounts, firstTps } from '../fixtures/wilayah';

const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');

function cli(dataDir: string, ...args: string[]) {
	const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: '' };
	return run(tsx, ['src/lib/server/cli/main.ts', ...args], { env }).catch(
		(error: { stdout: string; stderr: string; code: number }) => error
	);
}

/** Whether a device token is still live, read from the embedded database no server holds. */
async function liveToken(dataDir: string, token: string): Promise<boolean> {
	const database = await openConfiguredDatabase({ DATA_DIR: dataDir }, () => {});
	try {
		const found = await rows<{ n: number }>(
			database.handle.db,
			sql`select count(*)::int as n from device_tokens
				where token_hash = ${hashToken(token)} and revoked_at is null`
		);
		return found[0].n === 1;
	} finally {
		await database.close();
	}
}

/** The pid of a process that has already exited. */
async function deadPid(): Promise<number> {
	const child = spawn(process.execPath, ['-e', '0']);
	await new Promise((resolve) => child.on('exit', resolve));
	return child.pid!;
}

describe('the data folder lock', () => {
	let dir: string;
	beforeAll(() => {
		dir = tempDir('pantau-lock-');
	});
	afterAll(() => rmSync(dir, { recursive: true, force: true }));

	it('refuses a folder that a live process holds, naming it', () => {
		writeFileSync(
			lockFile(dir),
			JSON.stringify({ pid: process.ppid, role: 'server', since: 'earlier' })
		);
		expect(() => lockDataDir(dir, { role: 'cli' })).toThrow(DataDirLockedError);
		expect(() => lockDataDir(dir, { role: 'cli' })).toThrow(/in use by a server \(pid \d+/);
	});

	it('takes over the lock of a killed process, and releases it', async () => {
		writeFileSync(lockFile(dir), JSON.stringify({ pid: await deadPid(), role: 'server' }));
		const release = lockDataDir(dir, { role: 'cli' });
		expect(readLock(dir)?.pid).toBe(process.pid);
		release();
		expect(readLock(dir)).toBeNull();
	});
});

describe('npm run cli', () => {
	let dir: string;
	beforeAll(() => {
		dir = tempDir('pantau-cli-');
	});
	afterAll(async () => {
		await stopServices();
		resetConfig();
		rmSync(dir, { recursive: true, force: true });
	});

	it('seeds and counts on an embedded database no server holds', async () => {
		const seeded = await cli(dir, 'seed', '--provinces', '65');
		expect(seeded.stdout).toMatch(/\[seed\] done: .* 2,295 TPS/);
		const stats = await cli(dir, 'stats');
		expect(stats.stdout).toMatch(/tps\s+2,295/);
		expect(readLock(dir)).toBeNull();
	});

	it('issues a device token (alone on the last line) and revokes it', async () => {
		const tps = firstTps('65');
		const issued = (await cli(dir, 'token:issue', '--tps', tps)) as { stdout: string };
		const lines = issued.stdout.trim().split('\n');
		expect(lines.at(-1)).toMatch(/^pcd_[a-z2-7]{32}$/);
		expect(lines.at(-2)).toMatch(`Pantarlih of TPS ${tps}`);
		const revoked = (await cli(dir, 'token:revoke', '--tps', tps)) as { stdout: string };
		expect(revoked.stdout).toMatch(`revoked 1 device token(s) of TPS ${tps}`);
		const unknown = (await cli(dir, 'token:issue', '--tps', `${tps.slice(0, 10)}999`)) as {
			stderr: string;
			code: number;
		};
		expect(unknown.code).toBe(1);
		expect(unknown.stderr).toMatch(`TPS ${tps.slice(0, 10)}999 does not exist or has no Pantarlih`);
	});

	it('token:bulk leaves an enrolled phone working unless told to replace it', async () => {
		const tps = firstTps('65');
		const village = tps.slice(0, 10);
		const enrolled = ((await cli(dir, 'token:issue', '--tps', tps)) as { stdout: string }).stdout
			.trim()
			.split('\n')
			.at(-1)!;
		const file = path.join(dir, 'tokens.csv');
		const bulk = (await cli(dir, 'token:bulk', '--region', village, '--out', file)) as {
			stdout: string;
		};
		expect(bulk.stdout).toMatch(/left 1 TPS whose phone is already enrolled as they were/);
		const written = readFileSync(file, 'utf8').trim().split('\n').slice(1);
		expect(written.some((line) => line.startsWith(`${tps},`))).toBe(false);
		expect(await liveToken(dir, enrolled)).toBe(true);

		const replaced = (await cli(
			dir,
			'token:bulk',
			'--region',
			village,
			'--out',
			file,
			'--replace'
		)) as { stdout: string };
		expect(replaced.stdout).toMatch(/revoking the tokens of \d+ enrolled phone\(s\) under/);
		expect(readFileSync(file, 'utf8')).toContain(`${tps},pcd_`);
		expect(await liveToken(dir, enrolled)).toBe(false);
	});

	it('freezes a day on demand once, and writes a correction only when asked', async () => {
		// Kalimantan Utara (65) keeps WITA.
		const first = (await cli(dir, 'snapshot:freeze', '--date', '2026-02-14', '--zone', 'WITA')) as {
			stdout: string;
		};
		// 1 province, its regencies, districts and villages: 543 regions.
		expect(first.stdout).toMatch('WITA 2026-02-14: 543 region row(s) written');
		const again = (await cli(dir, 'snapshot:freeze', '--date', '2026-02-14', '--zone', 'WITA')) as {
			stdout: string;
		};
		expect(again.stdout).toMatch('WITA 2026-02-14: 0 region row(s) written');
		const corrected = (await cli(
			dir,
			'snapshot:freeze',
			'--date',
			'2026-02-14',
			'--zone',
			'WITA',
			'--correct',
			'target diperbaiki'
		)) as { stdout: string };
		expect(corrected.stdout).toMatch('WITA 2026-02-14: 543 region row(s) written');
		const bad = (await cli(dir, 'snapshot:freeze', '--date', '14-02-2026')) as {
			stderr: string;
			code: number;
		};
		expect(bad.code).toBe(1);
		expect(bad.stderr).toMatch('--date YYYY-MM-DD is required');
	});

	it('explains a bad option', async () => {
		const result = (await cli(dir, 'seed', '--provinces', 'Jatim')) as {
			stderr: string;
			code: number;
		};
		expect(result.code).toBe(1);
		expect(result.stderr).toMatch(/--provinces takes two-digit codes/);
	});

	it('sends its command to a running embedded server instead of opening the folder', async () => {
		process.env.DATA_DIR = dir;
		process.env.SEED_PROVINCES = '65,75';
		delete process.env.DATABASE_URL;
		resetConfig();
		await startServices(() => {});
		expect(readLock(dir)?.role).toBe('server');
		const stats = await cli(dir, 'stats');
		expect(stats.stderr).toMatch(/in use by a server .* sending the command to it/);
		const expected = expectedCounts(['65', '75']);
		expect(stats.stdout).toMatch(
			new RegExp(`village\\s+${expected.village.toLocaleString('en-US')}`)
		);
		expect(stats.stdout).toMatch(new RegExp(`tps\\s+${expected.tps.toLocaleString('en-US')}`));
		await stopServices();
		expect(readLock(dir)).toBeNull();
	});
});

describe('an unreachable PostgreSQL', () => {
	it('stops with one line naming the server and what to do', async () => {
		const error = await openDatabase({ databaseUrl: 'postgres://pantau@127.0.0.1:1/pantau' }).catch(
			(e) => e
		);
		expect(error).toBeInstanceOf(StartupError);
		expect((error as StartupError).describe()).toMatch(
			/^cannot reach PostgreSQL at 127\.0\.0\.1:1\/pantau: connection refused\. Check DATABASE_URL/
		);
	});
});
