import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explainFailure, runAsFor, socketFolder, unreachableFolder } from './embedded';

const root = typeof process.getuid === 'function' && process.getuid() === 0;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'pantau-embedded-spec-'));
chmodSync(scratch, 0o755);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('who PostgreSQL runs as', () => {
	it.runIf(root)('as root: the postgres account when the system has one, else nobody', () => {
		const passwd = path.join(scratch, 'passwd');
		writeFileSync(
			passwd,
			'root:x:0:0::/root:/bin/sh\npostgres:x:101:104::/var/lib/postgresql:/bin/sh\n'
		);
		expect(runAsFor(passwd)).toEqual({ name: 'postgres', uid: 101, gid: 104 });
		writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\nnobody:x:65534:65534::/:/usr/sbin/nologin\n');
		expect(runAsFor(passwd)).toEqual({ name: 'nobody', uid: 65534, gid: 65534 });
		writeFileSync(passwd, 'root:x:0:0::/root:/bin/sh\n');
		expect(() => runAsFor(passwd)).toThrow(/neither a postgres nor a nobody account/);
	});

	it.runIf(!root)('as an ordinary user: that user, unchanged', () => {
		expect(runAsFor()).toBeNull();
	});
});

describe('folders another user must reach', () => {
	const user = { name: 'postgres', uid: 4242, gid: 4242 };

	it('names the first folder closed to the user (a 0700 home folder)', () => {
		const home = path.join(scratch, 'home');
		mkdirSync(path.join(home, 'project', 'data'), { recursive: true });
		chmodSync(home, 0o700);
		expect(unreachableFolder(path.join(home, 'project', 'data', 'postgres'), user)).toBe(home);
		chmodSync(home, 0o711);
		expect(unreachableFolder(path.join(home, 'project', 'data', 'postgres'), user)).toBeNull();
	});
});

describe('the socket folder', () => {
	it('is the cluster folder when its path fits a Unix socket, else a short one', () => {
		expect(socketFolder('/srv/pantau/data/postgres')).toBe('/srv/pantau/data/postgres');
		const deep = `/srv/${'very-long-folder-name/'.repeat(5)}data/postgres`;
		const short = socketFolder(deep);
		expect(short).toMatch(/pantau-pg-[0-9a-f]{12}$/);
		expect(`${short}/.s.PGSQL.5432`.length).toBeLessThanOrEqual(100);
		expect(socketFolder(deep)).toBe(short);
	});
});

describe("PostgreSQL's complaints in words", () => {
	const cases: [string, RegExp][] = [
		[
			'FATAL:  could not write to file "pg_wal/xlogtemp.123": No space left on device',
			/the disk holding \/d is full.*Free some space/
		],
		[
			'FATAL:  lock file "postmaster.pid" already exists\nHINT:  Is another postmaster (PID 77) running',
			/another PostgreSQL is already running on \/d\/postgres/
		],
		[
			'FATAL:  database files are incompatible with server\nDETAIL:  The data directory was initialized by PostgreSQL version 15',
			/was made by another PostgreSQL version.*PostgreSQL 18/
		],
		[
			'initdb: error: could not change permissions of directory "/d/postgres": Permission denied',
			/may not use \/d\/postgres \(permission denied\)/
		]
	];
	it.each(cases)('%s', (output, expected) => {
		expect(explainFailure(output, '/d')!.describe()).toMatch(expected);
	});

	it('says nothing it does not recognise', () => {
		expect(explainFailure('LOG:  database system is ready to accept connections', '/d')).toBeNull();
	});
});
