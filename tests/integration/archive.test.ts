/**
 * Archiving closed days of the heartbeat log and putting them back,: a day
 * leaves the database as one compressed file with its SHA-256 (and an entry in log_archives and
 * the audit log), a day tied to the database by a late backlog stays, a restored day gives back
 * every row exactly and the same frozen digest, and a changed or unknown file is refused.
 */
import { createHash, randomUUID } from 'node:crypto';
import {
	mkdtempSync,
	readdirSync,
	readFileSync,
	renameSync,
	statSync,
	writeFileSync
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ZONES, addDays } from '../../src/lib/domain/calendar';
import { loadActivity } from '../../src/lib/server/rollup/activity';
import { Plan } from '../../src/lib/server/history/campaign';
import { rows } from '../../src/lib/server/platform/db/client';
import { createPartitions, partitionDays } from '../../src/lib/server/evidence/partitions';
import { archivableDays } from '../../src/lib/server/evidence/archive';
import { freezeDay } from '../../src/lib/server/history/snapshots';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { IngestService } from '../../src/lib/server/ingest/service';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import { chronology } from '../../src/lib/server/views/tps';
import { CLI, type Actor } from '../../src/lib/server/accounts/actor';
import { archiveLog, restoreLog } from '../../src/lib/server/evidence/archive-verbs';
import { verifyDay } from '../../src/lib/server/evidence/verify';
import type { ViewDeps } from '../../src/lib/server/views/deps';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

// Gorontalo (75, WITA, UTC+8).
const at = (local: string) => Date.parse(`${local}+08:00`);
const DAY = '2026-02-14';

describe('the log archive', () => {
	let database: TestDatabase;
	let now = at(`${DAY}T09:00:00`);
	let ingest: IngestService;
	let views: ViewDeps;
	let tps: { code: string; token: string }[];
	const folder = mkdtempSync(path.join(tmpdir(), 'pantau-archive-'));
	const store = new RollupStore();
	const deps = () => ({ db: database.db, now: () => now });

	const send = async (index: number, verified: number, recorded: number) => {
		const { code, token } = tps[index];
		const answer = await ingest.handle({
			method: 'POST',
			authorization: `Bearer ${token}`,
			contentType: 'application/json',
			body: new TextEncoder().encode(
				JSON.stringify({
					heartbeats: [
						{
							id: randomUUID(),
							tps: code,
							verified,
							pending: 1,
							recordedAt: new Date(recorded).toISOString(),
							app: '2.1.0',
							battery: 0.7,
							lat: 0.5512345,
							lng: 123.0612345
						}
					]
				})
			)
		});
		expect(answer.status).toBe(200);
	};
	/** Every stored column of a day's rows, in key order: equal before archiving and after restoring. */
	const fingerprint = async (day: string) =>
		(
			await rows<{ f: string | null }>(
				database.db,
				sql`select md5(string_agg(h::text, '|' order by recorded_at, id)) as f, count(*) as n
					from heartbeats h
					where recorded_at >= ${`${day} 00:00:00+07`}::timestamptz
						and recorded_at < ${`${addDays(day, 1)} 00:00:00+07`}::timestamptz`
			)
		)[0].f;

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		await database.db.execute(
			sql`update campaigns set first_day = '2026-02-12', last_day = '2026-03-13'`
		);
		await createPartitions(
			database.db,
			[-1, 0, 1, 2, 3, 4, 5].map((d) => addDays(DAY, d))
		);
		const first = await rows<{ code: string }>(
			database.db,
			sql`select code from tps where code like '7501%' order by code limit 3`
		);
		tps = (
			await issueDeviceTokens(
				database.db,
				first.map((t) => t.code)
			)
		).map((t) => ({ code: t.tpsCode, token: t.token }));
		await store.load(database.db);
		const plan = await Plan.load(database.db);
		views = {
			db: database.db,
			store,
			activity: await loadActivity(database.db),
			now: () => now,
			plan: () => plan
		};
		ingest = new IngestService(database.db, {
			tokenCacheMs: 0,
			ratePerMinute: 100_000,
			now: () => now,
			onCommitted: (result) => store.apply(result.deltas)
		});
		// Day 1: three TPS sync in the morning and afternoon.
		for (const [hour, verified] of [
			['09:00', 10],
			['15:00', 25]
		] as const) {
			now = at(`${DAY}T${hour}:30`);
			for (let i = 0; i < 3; i++) await send(i, verified + i, at(`${DAY}T${hour}:00`));
		}
		// Day 2: one syncs on time; another records at 16:00 but its backlog arrives two days later.
		now = at(`${addDays(DAY, 1)}T10:05:00`);
		await send(0, 40, at(`${addDays(DAY, 1)}T10:00:00`));
		now = at(`${addDays(DAY, 3)}T08:00:00`);
		await send(1, 41, at(`${addDays(DAY, 1)}T16:00:00`));
		// Both days frozen with their digests, as the server does at each local midnight.
		for (const day of [DAY, addDays(DAY, 1), addDays(DAY, 2), addDays(DAY, 3)]) {
			now = at(`${addDays(day, 1)}T00:10:00`);
			await freezeDay(
				{ db: database.db, store, activity: views.activity, plan, now },
				ZONES.WITA,
				day
			);
		}
		now = at(`${addDays(DAY, 5)}T09:00:00`);
	});
	afterAll(async () => {
		await ingest?.close();
		await database?.destroy();
	});

	it('is for national admins only', async () => {
		const leader: Actor = { role: 'leader', scope: '75', userId: 1, email: 'p@x.id' };
		await expect(
			archiveLog(deps(), leader, { before: addDays(DAY, 2), folder })
		).rejects.toMatchObject({ problem: 'logForbidden', status: 403 });
	});

	it('moves a closed day into one file with its digest, and keeps a day a late backlog ties to the database', async () => {
		const before = await fingerprint(DAY);
		const { archived, heldBack } = await archiveLog(deps(), CLI, {
			before: addDays(DAY, 2),
			folder
		});
		// Day 2 holds a heartbeat received on day 4: its day stays whole in the database.
		expect(archived.map((m) => m.day)).toEqual([DAY]);
		expect(heldBack).toEqual({ day: addDays(DAY, 1), heartbeats: 1 });
		const [manifest] = archived;
		expect(manifest.rows).toBe(6);
		const lines = gunzipSync(readFileSync(path.join(folder, manifest.file)));
		expect(createHash('sha256').update(lines).digest('hex')).toBe(manifest.sha256);
		expect(lines.toString('utf8').trim().split('\n')).toHaveLength(6);

		expect(await partitionDays(database.db)).not.toContain(DAY);
		expect(await fingerprint(DAY)).toBeNull();
		const page = await chronology(views, CLI, tps[0].code, null, 50);
		expect(page.entries.map((e) => e.verified)).toEqual([40]);
		const [entry] = await rows<{ rows: number; sha256: string }>(
			database.db,
			sql`select rows, sha256 from log_archives where day = ${DAY} and action = 'archive'`
		);
		expect(entry).toEqual({ rows: 6, sha256: manifest.sha256 });
		const [audited] = await rows<{ n: number }>(
			database.db,
			sql`select count(*)::int as n from audit_log where action = 'log.archive' and subject = ${DAY}`
		);
		expect(audited.n).toBe(1);
		// Archiving again finds nothing before that day.
		await expect(
			archiveLog(deps(), CLI, { before: addDays(DAY, 1), folder })
		).rejects.toMatchObject({ problem: 'archiveNothing' });

		// Back again: every row exactly as it was, and the frozen digest holds.
		const restored = await restoreLog(deps(), CLI, path.join(folder, manifest.file));
		expect(restored).toEqual({ day: DAY, rows: 6, inserted: 6 });
		expect(await fingerprint(DAY)).toBe(before);
		const verdicts = await verifyDay(database.db, ['75'], DAY, '75');
		expect(verdicts.length).toBeGreaterThan(0);
		expect(verdicts.every((v) => v.equal)).toBe(true);
		expect((await chronology(views, CLI, tps[0].code, null, 50)).entries).toHaveLength(3);
		// A second restore adds nothing.
		expect(await restoreLog(deps(), CLI, path.join(folder, manifest.file))).toMatchObject({
			inserted: 0
		});
	});

	it('names its files by their content (a second archive never overwrites the first) and keeps them private', async () => {
		const [first] = readdirSync(folder).filter((f) => f.endsWith('.ndjson.gz'));
		expect(first).toMatch(new RegExp(`^heartbeats-${DAY}-[0-9a-f]{12}\\.ndjson\\.gz$`));
		expect(statSync(path.join(folder, first)).mode & 0o777).toBe(0o600);
		// Archived again after the restore: the same rows, the same name, the same bytes inside.
		const { archived } = await archiveLog(deps(), CLI, { before: addDays(DAY, 2), folder });
		expect(archived.map((m) => m.file)).toEqual([first]);
		await restoreLog(deps(), CLI, path.join(folder, first));
	});

	it('refuses an archive whose lines changed, or one this database never wrote', async () => {
		const [name] = readdirSync(folder).filter((f) => f.endsWith('.ndjson.gz'));
		const file = path.join(folder, name);
		const manifestPath = file.replace(/\.ndjson\.gz$/, '.json');
		const original = gunzipSync(readFileSync(file)).toString('utf8');
		const changed = original.replace('"verified":10', '"verified":99');
		writeFileSync(file, gzipSync(changed));
		await expect(restoreLog(deps(), CLI, file)).rejects.toMatchObject({
			problem: 'archiveUnreadable'
		});
		// Changed consistently, name and manifest too: still not a file this database archived.
		const digest = createHash('sha256').update(changed).digest('hex');
		const forged = path.join(folder, `heartbeats-${DAY}-${digest.slice(0, 12)}.ndjson.gz`);
		renameSync(file, forged);
		const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'));
		writeFileSync(
			forged.replace(/\.ndjson\.gz$/, '.json'),
			JSON.stringify({ ...manifest, sha256: digest, file: path.basename(forged) })
		);
		await expect(restoreLog(deps(), CLI, forged)).rejects.toMatchObject({
			problem: 'archiveUnknown'
		});
	});

	it('follows a chain of late heartbeats across the line: no received day is split', async () => {
		// Recorded late on day 1 (23:00 WITA), received on day 2: with the late backlog of day 2
		// (received on day 4), day 1 is tied to the database too.
		now = at(`${addDays(DAY, 1)}T07:00:00`);
		await send(2, 30, at(`${DAY}T23:00:00`));
		now = at(`${addDays(DAY, 5)}T09:00:00`);
		await expect(
			archiveLog(deps(), CLI, { before: addDays(DAY, 2), folder })
		).rejects.toMatchObject({
			problem: 'archiveHeldBack',
			values: { day: DAY, heartbeats: 2 }
		});
		// Never yesterday or today, whatever `before` says.
		const yesterday = addDays(DAY, 4);
		expect((await archivableDays(database.db, addDays(DAY, 9))).days).not.toContain(yesterday);
	});
});
