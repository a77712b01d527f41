/**
 * The embedded PostgreSQL as a newcomer's laptop and this project's CI (root) meet it: made once,
 * started again in a blink, run as another account under root, found and stopped after a SIGKILL
 * of its server, and the failures an operator meets (another version's folder, a full disk) said
 * in one line. Child processes run the module the way the server does.
 */
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import {
	startEmbeddedPostgres,
	type EmbeddedPostgres
} from '../../src/lib/server/platform/db/embedded';
import { tempDir } from '../fixtures/temp';

const run = promisify(execFile);
const tsx = path.resolve('node_modules/.bin/tsx');
const embeddedModule = path.resolve('src/lib/server/platform/db/embedded.ts');
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const work = tempDir('pantau-embedded-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function answer(server: EmbeddedPostgres): Promise<string> {
	const url = new URL(server.url);
	const sql = postgres(`postgres://pantau@localhost:5432/pantau`, {
		host: url.searchParams.get('host')!,
		max: 1,
		onnotice: () => {}
	});
	try {
		const [row] = await sql<
			{ version: string }[]
		>`select current_setting('server_version') as version`;
		return row.version;
	} finally {
		await sql.end();
	}
}

/** Runs a script against the module in a child process; its exit status and output. */
async function child(script: string, options: { uid?: number; gid?: number } = {}) {
	const file = path.join(work, `child-${Math.random().toString(36).slice(2)}.mts`);
	writeFileSync(file, `import * as embedded from ${JSON.stringify(embeddedModule)};\n${script}`);
	return run(tsx, [file], { ...options, env: { ...process.env, HOME: work } }).then(
		({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
		(error: { code: number; stdout: string; stderr: string }) => error
	);
}

describe('the embedded PostgreSQL', () => {
	it('is made once, starts again on its folder, and stops clean', async () => {
		const dataDir = path.join(work, 'once');
		const lines: string[] = [];
		const first = await startEmbeddedPostgres(dataDir, { log: (l) => lines.push(l) });
		expect(await answer(first)).toMatch(/^18\./);
		await first.stop();
		expect(lines.filter((l) => l.includes('made an embedded PostgreSQL 18'))).toHaveLength(1);

		const again: string[] = [];
		const started = performance.now();
		const second = await startEmbeddedPostgres(dataDir, { log: (l) => again.push(l) });
		const seconds = (performance.now() - started) / 1000;
		expect(await answer(second)).toMatch(/^18\./);
		await second.stop();
		expect(again.some((l) => l.includes('made an embedded'))).toBe(false);
		console.log(`[embedded] started again on its folder in ${seconds.toFixed(2)} s`);
		expect(readFileSync(path.join(dataDir, 'postgres.log'), 'utf8')).toMatch(
			/database system is shut down/
		);
	});

	it.runIf(root)('as root, runs as another account and says so', async () => {
		const dataDir = path.join(work, 'root');
		const lines: string[] = [];
		const server = await startEmbeddedPostgres(dataDir, { log: (l) => lines.push(l) });
		await server.stop();
		expect(lines).toContainEqual(
			expect.stringMatching(
				/PostgreSQL runs as the (postgres|nobody) user \(the server runs as root\)/
			)
		);
		expect(statSync(path.join(dataDir, 'postgres')).uid).not.toBe(0);
	});

	it.runIf(root)('as an ordinary user (nobody here), runs as that user', async () => {
		const dataDir = path.join(work, 'ordinary');
		mkdirSync(dataDir);
		chmodSync(dataDir, 0o777);
		const result = await child(
			`const server = await embedded.startEmbeddedPostgres(${JSON.stringify(dataDir)}, { log: console.log });
			console.log('uid', process.getuid());
			await server.stop();`,
			{ uid: 65534, gid: 65534 }
		);
		expect(result.stderr).toBe('');
		expect(result.stdout).toMatch(/made an embedded PostgreSQL 18/);
		expect(result.stdout).not.toMatch(/runs as the .* user/);
		expect(statSync(path.join(dataDir, 'postgres')).uid).toBe(65534);
	});

	it('stops the postmaster a killed server left running, then starts', async () => {
		const dataDir = path.join(work, 'killed');
		const killed = await child(
			`await embedded.startEmbeddedPostgres(${JSON.stringify(dataDir)});
			process.kill(process.pid, 'SIGKILL');`
		);
		expect(killed.code).not.toBe(0);
		const leftover = Number(
			readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]
		);
		expect(() => process.kill(leftover, 0)).not.toThrow();

		const lines: string[] = [];
		const server = await startEmbeddedPostgres(dataDir, { log: (l) => lines.push(l) });
		expect(lines).toContain(
			`[db] stopping the embedded PostgreSQL left running by an earlier server (pid ${leftover})`
		);
		expect(await answer(server)).toMatch(/^18\./);
		await server.stop();
	});

	it("keeps a failed run's exit code, and its stop does not wait on a postmaster that died", async () => {
		const dataDir = path.join(work, 'exit');
		const result = await child(
			`import { readFileSync } from 'node:fs';
			const server = await embedded.startEmbeddedPostgres(${JSON.stringify(dataDir)});
			const pid = Number(readFileSync(${JSON.stringify(path.join(dataDir, 'postgres', 'postmaster.pid'))}, 'utf8').split('\\n')[0]);
			process.kill(pid, 'SIGKILL');
			const started = Date.now();
			await server.stop();
			console.log('stopped after', Date.now() - started, 'ms');
			process.exitCode = 3;`
		);
		expect(result.code).toBe(3);
		const waited = Number(/stopped after (\d+) ms/.exec(result.stdout)?.[1]);
		expect(waited).toBeLessThan(5_000);
	});

	it('refuses a folder of another PostgreSQL version, saying what to do', async () => {
		const dataDir = path.join(work, 'old');
		mkdirSync(path.join(dataDir, 'postgres'), { recursive: true });
		writeFileSync(path.join(dataDir, 'postgres', 'PG_VERSION'), '15\n');
		const error = await startEmbeddedPostgres(dataDir).catch((e) => e);
		expect(error.describe()).toMatch(
			/postgres holds a PostgreSQL 15 database; this version runs PostgreSQL 18\. Move that folder aside/
		);
	});

	it.runIf(root)('says in one line that the disk is full (a 24 MB tmpfs)', async () => {
		const dataDir = path.join(work, 'full');
		mkdirSync(dataDir);
		await run('mount', ['-t', 'tmpfs', '-o', 'size=24m,mode=0755', 'tmpfs', dataDir]);
		try {
			const error = await startEmbeddedPostgres(dataDir).catch((e) => e);
			expect(error.describe()).toMatch(
				new RegExp(`the disk holding ${dataDir} is full .*Free some space`)
			);
		} finally {
			await run('umount', [dataDir]);
		}
	});
});
