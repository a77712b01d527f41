/**
 * `npm run build && npm run bench:pages`: the real server (built) on a fresh PostgreSQL database
 * with the national data (820,161 TPS), three closed days of snapshots and some progress, then
 * - server time: sequential GETs of the nation, Jawa Barat (27 regencies) and a regency page
 *   (Kabupaten Bogor, 3201), as a signed-in admin, full body read (p50/p95/p99);
 * - first render in Chromium (Debian's /usr/bin/chromium): navigation to the page's load event
 *   and to the map or table being drawn;
 * with the log grown to BENCH_LOG_MILLIONS (50) million heartbeats in day partitions, then times
 * freezing a full national day with its digests, pages and syncs while another day freezes, and
 * streaming a regency's day as CSV. The alerts pages are timed with every never-synced Pantarlih's
 * alert open (some 700,000), and their HTML weighed. Prints one table.
 *
 * BENCH_DATABASE_URL: the PostgreSQL server to make the scratch database on (default this
 * machine's), or `embedded` for an embedded PostgreSQL in a temporary folder (the default engine).
 */
import type { ChildProcess } from 'node:child_process';
import { chromium } from '@playwright/test';
import { sql } from 'drizzle-orm';
import { rmSync } from 'node:fs';
import { ZONES } from '../../src/lib/domain/calendar';
import { openDatabase, rows as queryRows } from '../../src/lib/server/platform/db/client';
import { createPartitions, wantedDays } from '../../src/lib/server/evidence/partitions';
import { freezeContextFrom, freezeDay } from '../../src/lib/server/history/snapshots';
import { seed } from '../../src/lib/server/geography/seed';
import { startEmbeddedPostgres } from '../../src/lib/server/platform/db/embedded';
import { tempDir } from '../fixtures/temp';
import { issueDeviceTokens } from '../../src/lib/server/ingest/device-tokens';
import { sync } from '../fixtures/heartbeats';
import { loginCookie, startServer } from '../fixtures/server';
import { growLog, logSize } from './harness';

/** BENCH_DATABASE_URL=embedded: an embedded PostgreSQL in a temporary folder (the default engine). */
const embedded =
	process.env.BENCH_DATABASE_URL === 'embedded'
		? await (async () => {
				const folder = tempDir('pantau-bench-pages-');
				return { folder, server: await startEmbeddedPostgres(folder) };
			})()
		: null;
const serverUrl =
	embedded?.server.url ??
	process.env.BENCH_DATABASE_URL ??
	'postgres://postgres@127.0.0.1:5432/postgres';
const requests = Number(process.env.BENCH_REQUESTS ?? 200);
const PORT = 3297;
const METRICS = 'bench-metrics-token-0123456789';
const base = `http://127.0.0.1:${PORT}`;
const PAGES: { label: string; path: string; drawn?: string | null }[] = [
	{ label: 'nation (38 provinces)', path: '/wilayah/id' },
	{ label: 'Jawa Barat (27 regencies)', path: '/wilayah/32' },
	{ label: 'Kab. Bogor (40 districts)', path: '/wilayah/3201' },
	// The rakor report for today: live, so each request digests the region's TPS (sync states and
	// the ten largest gaps); a past day's report reads the frozen rows instead.
	{ label: 'report, nation', path: '/wilayah/id/laporan' },
	{ label: 'report, Jawa Barat', path: '/wilayah/32/laporan' },
	{ label: 'report, Kab. Bogor', path: '/wilayah/3201/laporan' },
	// A village lists its TPS; a TPS page with its chronology (a synced TPS: 007 is every 7th).
	{ label: 'village (47 TPS)', path: '/wilayah/3201011001', drawn: '[data-testid="tps-row"]' },
	{
		label: 'TPS page',
		path: '/wilayah/3201011001007',
		drawn: '[data-testid="chronology-entry"]'
	},
	{
		label: 'chronology API, first page',
		path: '/api/v1/tps/3201011001007/heartbeats?limit=50',
		drawn: null
	},
	{
		label: 'Pantarlih list, Kab. Bogor',
		path: '/wilayah/3201/pantarlih',
		drawn: '[data-testid="pantarlih-row"]'
	},
	// The alerts of a region, with hundreds of thousands open (every never-synced Pantarlih).
	{ label: 'alerts, nation', path: '/peringatan', drawn: '[data-testid="alert-total"]' },
	{
		label: 'alerts, Jawa Barat',
		path: '/peringatan?wilayah=32',
		drawn: '[data-testid="alert-total"]'
	},
	{
		label: 'alerts, Kab. Bogor',
		path: '/peringatan?wilayah=3201',
		drawn: '[data-testid="alert-total"]'
	}
];
/** Millions of heartbeats in the log (the synced TPS's own, then whole generated days). */
const LOG_MILLIONS = Number(process.env.BENCH_LOG_MILLIONS ?? 50);
/** Heartbeats stored per synced TPS (every 7th TPS: 117,166 of them). */
const PER_TPS = Number(process.env.BENCH_HEARTBEATS_PER_TPS ?? 17);

const percentile = (sorted: number[], p: number) =>
	sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;

const adminHandle = await openDatabase({ databaseUrl: serverUrl, poolSize: 1 });
const admin = adminHandle.sql;
const name = `pantau_bench_pages_${process.pid}`;
await admin.unsafe(`create database ${name}`);
const url = new URL(serverUrl);
url.pathname = `/${name}`;
let server: ChildProcess | undefined;
try {
	console.log('[bench] seeding the national data and three days of history…');
	const handle = await openDatabase({ databaseUrl: url.toString() });
	await handle.migrate();
	await seed(handle, {});
	// Some progress: every 7th TPS has synced, with a count below its target.
	await handle.db.execute(sql`update tps set verified = target / 3, recorded_at = now(),
		first_sync_at = now(), last_sync_at = now(), progress_at = now()
		where (substr(code, 11, 3)::int % 7) = 0`);
	// The heartbeat log: PER_TPS heartbeats for each synced TPS, the last received now.
	const plan = await freezeContextFrom(handle.db);
	// Day partitions for the month the log spans (the server makes them ahead in service).
	const month = Array.from({ length: 32 }, (_, i) =>
		new Date(Date.now() + 7 * 3_600_000 - i * 86_400_000).toISOString().slice(0, 10)
	);
	await createPartitions(handle.db, [...month, ...wantedDays(Date.now(), plan.plan.campaign)]);
	// At most 5 hours apart, and within the last 30 days however many there are.
	const spacingMinutes = Math.min(300, Math.floor((30 * 24 * 60) / PER_TPS));
	const started = performance.now();
	await handle.db.execute(sql`insert into heartbeats (id, tps_code, pantarlih_id, device_token_id,
			verified, tms, new_voters, pending, recorded_at, received_at, app, battery)
		select gen_random_uuid(), t.code, 0, 0, least(t.target, k * 10), 0, 0, 0,
			date_trunc('milliseconds', now() - (${PER_TPS} - k) * ${spacingMinutes} * interval '1 minute'),
			date_trunc('milliseconds', now() - (${PER_TPS} - k) * ${spacingMinutes} * interval '1 minute' + interval '2 minutes'),
			'2.4.1', 0.8
		from tps t cross join generate_series(1, ${PER_TPS}) k
		where (substr(t.code, 11, 3)::int % 7) = 0`);
	await handle.db.execute(sql`analyze heartbeats`);
	const [{ n }] = await queryRows<{ n: number }>(
		handle.db,
		sql`select count(*)::int as n from heartbeats`
	);
	console.log(
		`[bench] ${n.toLocaleString('en')} heartbeats stored in ${((performance.now() - started) / 1000).toFixed(1)} s`
	);
	// The rest of a campaign's log: whole national days (3.3 million heartbeats each) in their
	// own partitions, up to BENCH_LOG_MILLIONS in all (50 by default), as the issue measures.
	const grown = await growLog(handle.db, LOG_MILLIONS * 1_000_000, 3_300_000);
	const stored = await logSize(handle.db);
	console.log(
		`[bench] the log: ${(stored.stored / 1e6).toFixed(1)} million heartbeats, heap ${Math.round(stored.heapMb)} MB, indexes ${Math.round(stored.indexMb)} MB`
	);
	// The campaign reaches back over the grown days, so that the read API serves them.
	if (grown.length > 0)
		await handle.db.execute(sql`update campaigns set first_day = ${grown.at(-1)!}`);
	const ctx = await freezeContextFrom(handle.db);
	// Freezing a full day with its digests (every region of each zone, over 3.3 million heartbeats).
	const fullDay = grown[0] ?? null;
	const digestMs: string[] = [];
	if (fullDay)
		for (const zone of Object.values(ZONES)) {
			const started = performance.now();
			await freezeDay(ctx, zone, fullDay);
			digestMs.push(`${zone.name} ${((performance.now() - started) / 1000).toFixed(1)} s`);
		}
	if (fullDay)
		console.log(
			`[bench] freezing ${fullDay} (a full national day) with digests: ${digestMs.join(', ')}`
		);
	const first = ctx.plan.campaign!.firstDay;
	const freezeMs: string[] = [];
	for (const day of [-3, -2, -1]) {
		const date = new Date(Date.parse(first) + day * 86_400_000).toISOString().slice(0, 10);
		for (const zone of Object.values(ZONES)) {
			const started = performance.now();
			await freezeDay(ctx, zone, date);
			if (day === -1) freezeMs.push(`${zone.name} ${(performance.now() - started).toFixed(0)} ms`);
		}
	}
	console.log(`[bench] freezing one day, every region of each zone: ${freezeMs.join(', ')}`);
	// Phones for the syncs timed while a day freezes (Kab. Bogor's first village).
	const phones = await issueDeviceTokens(
		handle.db,
		(
			await queryRows<{ code: string }>(
				handle.db,
				sql`select code from tps where code like '3201011001%' order by code limit 20`
			)
		).map((r) => r.code)
	);
	await handle.close();

	server = await startServer(PORT, {
		DATABASE_URL: url.toString(),
		DEMO: '1',
		METRICS_TOKEN: METRICS
	});
	const cookie = await loginCookie(base, 'admin@demo.pantau.id', 'coklit-demo-2029');
	// The server's first run of the alert rules opens an alert for every Pantarlih who never
	// synced (some 700,000 here): pages are timed once it has, as they would be in service.
	const openAlerts = async () => {
		const text = await (
			await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })
		).text();
		return [...text.matchAll(/^pantau_alerts_open\{[^}]*\} (\d+)/gm)].reduce(
			(sum, m) => sum + Number(m[1]),
			0
		);
	};
	for (let last = -1, waited = 0; waited < 120; waited += 2) {
		const now = await openAlerts();
		if (now > 0 && now === last) {
			console.log(`[bench] ${now.toLocaleString('en')} open alerts after the rules' first run`);
			break;
		}
		last = now;
		await new Promise((resolve) => setTimeout(resolve, 2_000));
	}

	const rows: string[][] = [];
	const browser = await chromium.launch({
		executablePath: '/usr/bin/chromium',
		args: ['--no-sandbox', '--headless', '--disable-gpu']
	});
	const context = await browser.newContext();
	await context.addCookies([
		{ name: cookie.split('=')[0], value: cookie.split('=')[1], url: base }
	]);
	for (const page of PAGES) {
		for (let i = 0; i < 10; i++)
			await (await fetch(base + page.path, { headers: { cookie } })).text();
		const times: number[] = [];
		for (let i = 0; i < requests; i++) {
			const started = performance.now();
			const response = await fetch(base + page.path, { headers: { cookie } });
			await response.text();
			if (response.status !== 200) throw new Error(`${page.path} answered ${response.status}`);
			times.push(performance.now() - started);
		}
		times.sort((a, b) => a - b);
		if (page.path.startsWith('/peringatan')) {
			const html = await (await fetch(base + page.path, { headers: { cookie } })).text();
			console.log(
				`[bench] ${page.label}: ${Math.round(Buffer.byteLength(html) / 1024)} KB of HTML`
			);
		}
		if (page.drawn === null) {
			rows.push([
				page.label,
				percentile(times, 50).toFixed(1),
				percentile(times, 95).toFixed(1),
				percentile(times, 99).toFixed(1),
				'–',
				'–'
			]);
			continue;
		}
		const tab = await context.newPage();
		const started = performance.now();
		await tab.goto(base + page.path, { waitUntil: 'load' });
		const loaded = performance.now() - started;
		await tab
			.locator(
				page.drawn ??
					'[data-testid="coverage-map"] path.leaflet-interactive, [data-testid="points-map"] path, [data-testid="child-row"], [data-report-ready]'
			)
			.first()
			.waitFor();
		const drawn = performance.now() - started;
		await tab.close();
		rows.push([
			page.label,
			percentile(times, 50).toFixed(1),
			percentile(times, 95).toFixed(1),
			percentile(times, 99).toFixed(1),
			loaded.toFixed(0),
			drawn.toFixed(0)
		]);
	}
	// Pages and syncs while a full national day freezes (WIB, with its digests) on another
	// connection, as at midnight: sequential page loads and single-heartbeat syncs until it ends.
	const busyDay = grown[1] ?? fullDay;
	if (busyDay) {
		const freezer = await openDatabase({ databaseUrl: url.toString() });
		const freezeCtx = await freezeContextFrom(freezer.db);
		let freezing = true;
		const freezeStarted = performance.now();
		const frozen = freezeDay(freezeCtx, ZONES.WIB, busyDay).finally(() => (freezing = false));
		const pageTimes: number[] = [];
		const syncTimes: number[] = [];
		const pagesLoop = (async () => {
			while (freezing) {
				const started = performance.now();
				const response = await fetch(`${base}/wilayah/32`, { headers: { cookie } });
				await response.text();
				pageTimes.push(performance.now() - started);
			}
		})();
		const syncLoop = (async () => {
			for (let i = 0; freezing; i++) {
				const phone = phones[i % phones.length];
				const started = performance.now();
				const status = await sync(base, phone.token, phone.tpsCode, 10 + i);
				if (status !== 200) throw new Error(`a sync during the freeze answered ${status}`);
				syncTimes.push(performance.now() - started);
			}
		})();
		await Promise.all([frozen, pagesLoop, syncLoop]);
		await freezer.close();
		const show = (times: number[]) => {
			const sorted = [...times].sort((a, b) => a - b);
			return `${sorted.length} requests, p50 ${percentile(sorted, 50).toFixed(0)} ms, p95 ${percentile(sorted, 95).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1)?.toFixed(0)} ms`;
		};
		console.log(
			`[bench] while ${busyDay} froze for WIB (${((performance.now() - freezeStarted) / 1000).toFixed(1)} s): Jawa Barat's page ${show(pageTimes)}; syncs ${show(syncTimes)}`
		);
	}
	// Report PDFs (headless Chromium in the server), one at a time.
	const pdfTimes: number[] = [];
	for (let i = 0; i < 5; i++) {
		const started = performance.now();
		const response = await fetch(`${base}/wilayah/32/laporan/unduh?format=pdf`, {
			headers: { cookie }
		});
		const bytes = (await response.arrayBuffer()).byteLength;
		if (response.status !== 200) throw new Error(`the PDF answered ${response.status}`);
		pdfTimes.push(performance.now() - started);
		if (i === 0) console.log(`[bench] report PDF, Jawa Barat: ${bytes} bytes`);
	}
	console.log(
		`[bench] report PDF, Jawa Barat: first ${pdfTimes[0].toFixed(0)} ms (starts Chromium), then ${pdfTimes
			.slice(1)
			.map((t) => t.toFixed(0))
			.join(', ')} ms`
	);
	// A regency's heartbeats of a day streamed as CSV: rows per second, and the server's RSS.
	{
		const rss = async () => {
			const text = await (
				await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${METRICS}` } })
			).text();
			return Number(/^pantau_process_resident_memory_bytes (\d+)/m.exec(text)?.[1] ?? NaN);
		};
		const day = fullDay ?? new Date(Date.now() + 7 * 3_600_000).toISOString().slice(0, 10);
		const before = await rss();
		const started = performance.now();
		const response = await fetch(`${base}/api/v1/regions/3201/heartbeats?date=${day}&format=csv`, {
			headers: { cookie }
		});
		if (response.status !== 200) throw new Error(`the CSV stream answered ${response.status}`);
		let lines = 0;
		let chunks = 0;
		let peak = before;
		const reader = response.body!.getReader();
		for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
			for (const byte of chunk.value) if (byte === 10) lines++;
			if (++chunks % 100 === 0) peak = Math.max(peak, await rss());
		}
		const seconds = (performance.now() - started) / 1000;
		console.log(
			`[bench] Kab. Bogor's heartbeats of ${day} as CSV: ${(lines - 1).toLocaleString('en')} rows in ${seconds.toFixed(1)} s (${Math.round((lines - 1) / seconds).toLocaleString('en')} rows/s), server RSS ${Math.round(before / 2 ** 20)} → peak ${Math.round(peak / 2 ** 20)} MB`
		);
	}
	await browser.close();
	console.log(
		`\nbench:pages (${embedded ? 'embedded PostgreSQL' : 'PostgreSQL server'}, national data, ${requests} sequential requests per page, signed in as admin)\n`
	);
	const header = [
		'page',
		'server p50 ms',
		'p95 ms',
		'p99 ms',
		'Chromium load ms',
		'map/table drawn ms'
	];
	const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
	const line = (cells: string[]) =>
		cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
	console.log(line(header));
	for (const r of rows) console.log(line(r));
} finally {
	server?.kill('SIGTERM');
	if (server) await new Promise((resolve) => server!.once('exit', resolve));
	await admin.unsafe(`drop database if exists ${name} with (force)`);
	await adminHandle.close();
	if (embedded) {
		await embedded.server.stop();
		rmSync(embedded.folder, { recursive: true, force: true });
	}
}
