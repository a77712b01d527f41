/**
 * `npm run bench:demo`: does the national demo keep pace while people use it? Runs `npm run demo`'s
 * launcher (the built server on the embedded PostgreSQL, the whole nation, the simulator) at
 * BENCH_SPEED (default: the demo's own, 30x) while four browsers, one per demo role, open the
 * region, TPS, Pantarlih list, alerts and report pages in turn, reading each for a while. For
 * every simulated hour it prints the simulator's behind-by (the most overdue phone), requests a
 * second, request errors, the pages' load times and errors, the CPU of the server, of PostgreSQL,
 * of the simulator and of the browsers, and the data folder's size; then a summary.
 *
 * Settings: BENCH_HOURS (simulated hours to run, 48), BENCH_SPEED, BENCH_DATA_DIR (a demo folder to
 * resume: its first start seeds the nation and enrols 820,161 phones, a few minutes; default a
 * fresh one under the system's temporary folder), BENCH_BROWSE=0 (no browsing), BENCH_READ_SECONDS
 * (how long each person reads a page before the next, 10), BENCH_PORT (3400).
 * `npm run build` first. Needs /proc (Linux) for the CPU readings.
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { folderSize } from '../../src/simulator/folder-size';
import { tempDir } from '../fixtures/temp';

const hours = Number(process.env.BENCH_HOURS ?? 48);
const speed = Number(process.env.BENCH_SPEED ?? 30);
const port = Number(process.env.BENCH_PORT ?? 3400);
const browse = process.env.BENCH_BROWSE !== '0';
const readSeconds = Number(process.env.BENCH_READ_SECONDS ?? 10);
const fresh = !process.env.BENCH_DATA_DIR;
const dataDir = process.env.BENCH_DATA_DIR
	? path.resolve(process.env.BENCH_DATA_DIR)
	: path.join(tempDir('pantau-bench-demo-'), 'data');
const base = `http://127.0.0.1:${port}`;

// --- CPU per group of processes, from /proc ------------------------------------------------
type Group = 'server' | 'postgres' | 'simulator' | 'browser';
/** CPU ticks used so far by each live process of a group, by pid. */
function cpuTicks(): Map<number, { group: Group; used: number }> {
	const ticks = new Map<number, { group: Group; used: number }>();
	for (const pid of readdirSync('/proc')) {
		if (!/^\d+$/.test(pid)) continue;
		let stat: string;
		let command: string;
		try {
			stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
			command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
		} catch {
			continue;
		}
		const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
		const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
		const used = Number(fields[11]) + Number(fields[12]);
		const group: Group | null =
			name === 'postgres'
				? 'postgres'
				: command.includes('src/server/main.js')
					? 'server'
					: command.includes('src/simulator/demo.ts')
						? 'simulator'
						: /chrom/i.test(command)
							? 'browser'
							: null;
		if (group) ticks.set(Number(pid), { group, used });
	}
	return ticks;
}

/**
 * A group's share of one core between two readings: each process's ticks since the first reading
 * (all of them for one started since). A process that ended in between is left out: its last
 * ticks are not known (subtracting group totals made PostgreSQL's column negative when backends
 * exited).
 */
function cpuShare(
	before: Map<number, { group: Group; used: number }>,
	after: Map<number, { group: Group; used: number }>,
	group: Group,
	seconds: number
): string {
	let ticks = 0;
	for (const [pid, now] of after)
		if (now.group === group) ticks += Math.max(0, now.used - (before.get(pid)?.used ?? 0));
	return `${Math.round((ticks / 100 / seconds) * 100)}%`;
}

// --- the demo ---------------------------------------------------------------------------------
console.log(
	`[bench] ${fresh ? 'a fresh' : 'the'} demo in ${dataDir} at ${speed}x for ${hours} simulated hours${browse ? ', four roles browsing' : ''}`
);
const started = Date.now();
const demo = spawn(
	process.execPath,
	['node_modules/tsx/dist/cli.mjs', 'src/simulator/demo.ts', '--speed', String(speed)],
	{
		env: {
			...process.env,
			DATA_DIR: dataDir,
			PORT: String(port),
			ORIGIN: base,
			LOG_FORMAT: 'text'
		},
		stdio: ['ignore', 'pipe', 'pipe']
	}
);
let firstUrlSeconds = null as number | null;
interface SimLine {
	at: string;
	requests: number;
	behind: number;
	errors: number;
	data: string;
	/** The simulator's last request error as this line names it, if any. */
	lastError?: string;
}
const simLines: SimLine[] = [];
const serverLines: string[] = [];
/** The simulator's last request error, as each progress line names it (a few kinds). */
const errorKinds: string[] = [];
const number = (text: string) => Number(text.replaceAll('.', '').replace(',', '.'));
function readLine(line: string) {
	if (firstUrlSeconds === null && line.includes('is running at'))
		firstUrlSeconds = (Date.now() - started) / 1000;
	const sim =
		/^\[sim\] day (\d+) (\d\d:\d\d) WIB · ([\d.]+) req\/s .* ([\d.]+) errors.*?(?:behind by (\d+) simulated min)?(?: · data ([\d,]+ GB))?$/.exec(
			line
		);
	const lastError = /\(last: (.*?)\)/.exec(line)?.[1];
	if (sim && lastError && !errorKinds.includes(lastError) && errorKinds.length < 5)
		errorKinds.push(lastError);
	if (sim)
		simLines.push({
			at: `day ${sim[1]} ${sim[2]}`,
			requests: number(sim[3]),
			errors: number(sim[4]),
			behind: Number(sim[5] ?? 0),
			data: sim[6] ?? '',
			lastError
		});
	else if (/^\[(alerts|history|demo|db)\]/.test(line)) serverLines.push(line);
}
let buffered = '';
const onOutput = (chunk: Buffer) => {
	buffered += chunk;
	const lines = buffered.split('\n');
	buffered = lines.pop()!;
	for (const line of lines) readLine(line.replace(/^\S+ \S+ (INFO|WARN|ERROR)\s*:?\s*/, ''));
};
demo.stdout!.on('data', onOutput);
demo.stderr!.on('data', onOutput);
const demoExit = new Promise<number | null>((resolve) => demo.on('exit', resolve));

async function waitForSimulator() {
	while (simLines.length === 0) {
		if (demo.exitCode !== null) throw new Error('the demo stopped before its simulator started');
		await new Promise((resolve) => setTimeout(resolve, 1_000));
	}
}

// --- four people browsing -----------------------------------------------------------------
const ROLES = {
	admin: [
		'admin@demo.pantau.id',
		['/wilayah/id', '/wilayah/35', '/peringatan', '/wilayah/id/laporan']
	],
	leader: [
		'pimpinan@demo.pantau.id',
		['/wilayah/35', '/wilayah/3501', '/peringatan', '/wilayah/35/laporan']
	],
	coordinator: [
		'koordinator@demo.pantau.id',
		[
			'/wilayah/3501',
			'/wilayah/3501/pantarlih',
			'/wilayah/3501012001001',
			'/peringatan',
			'/wilayah/3501/laporan'
		]
	],
	observer: [
		'bawaslu@demo.pantau.id',
		['/wilayah/35', '/wilayah/3501012001001', '/wilayah/3501/pantarlih', '/peringatan']
	]
} as const;
const pageTimes: number[] = [];
let pageErrors = 0;
const errorSamples: string[] = [];
let browsing = true;

async function person(browser: Browser, email: string, paths: readonly string[], width: number) {
	const context = await browser.newContext({ viewport: { width, height: 800 } });
	const page: Page = await context.newPage();
	page.on('pageerror', (error) => {
		pageErrors += 1;
		if (errorSamples.length < 5) errorSamples.push(`script error: ${error.message}`);
	});
	await page.goto(`${base}/login`);
	await page.getByLabel('Email').fill(email);
	await page.getByLabel('Kata sandi').fill('coklit-demo-2029');
	await page.getByRole('button', { name: 'Masuk' }).click();
	await page.waitForURL(/\/wilayah\//, { timeout: 60_000 });
	for (let i = 0; browsing; i++) {
		const target = paths[i % paths.length];
		const begin = performance.now();
		try {
			const response = await page.goto(`${base}${target}`, { timeout: 60_000 });
			pageTimes.push(performance.now() - begin);
			if (!response || response.status() >= 400) {
				pageErrors += 1;
				if (errorSamples.length < 5) errorSamples.push(`${target}: ${response?.status()}`);
			}
		} catch (error) {
			pageErrors += 1;
			if (errorSamples.length < 5) errorSamples.push(`${target}: ${(error as Error).message}`);
		}
		// A person reads a page before opening the next; the page keeps receiving live updates.
		await new Promise((resolve) => setTimeout(resolve, readSeconds * 1_000));
	}
	await context.close();
}

const quantile = (values: number[], q: number) => {
	if (values.length === 0) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
};

let browser: Browser | undefined;
const people: Promise<void>[] = [];
try {
	await waitForSimulator();
	console.log(
		`[bench] first URL after ${(firstUrlSeconds as number | null)?.toFixed(0)} s, phones syncing after ${((Date.now() - started) / 1000).toFixed(0)} s`
	);
	if (browse) {
		browser = await chromium.launch({
			executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
			args: ['--no-sandbox', '--headless', '--disable-gpu', '--disable-background-networking']
		});
		for (const [i, [email, paths]] of Object.values(ROLES).entries())
			people.push(
				person(browser, email, paths, i % 2 ? 360 : 1366).catch((error) => {
					pageErrors += 1;
					errorSamples.push(`a browser stopped: ${(error as Error).message}`);
				})
			);
	}

	const hourMs = 3_600_000 / speed;
	console.log(
		'\n| simulated hour (WIB) | requests/s | behind by (max, sim. min) | request errors | pages | page p95 ms | page errors | server CPU | PostgreSQL CPU | simulator CPU | browsers CPU | data |'
	);
	console.log(
		'| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'
	);
	const summary = { worstBehind: 0, errors: 0, pages: 0, pageErrors: 0, p95s: [] as number[] };
	let errorsBefore = simLines.at(-1)!.errors;
	for (let hour = 0; hour < hours && demo.exitCode === null; hour++) {
		const cpuBefore = cpuTicks();
		const linesBefore = simLines.length;
		const pagesBefore = pageTimes.length;
		const pageErrorsBefore = pageErrors;
		const t0 = Date.now();
		await new Promise((resolve) => setTimeout(resolve, hourMs));
		const seconds = (Date.now() - t0) / 1000;
		const cpuAfter = cpuTicks();
		const cpu = (g: Group) => cpuShare(cpuBefore, cpuAfter, g, seconds);
		const lines = simLines.slice(linesBefore);
		const last = lines.at(-1) ?? simLines.at(-1)!;
		const behind = Math.max(0, ...lines.map((l) => l.behind));
		const requests = lines.length
			? Math.round(lines.reduce((s, l) => s + l.requests, 0) / lines.length)
			: 0;
		const errors = last.errors - errorsBefore;
		errorsBefore = last.errors;
		// What the errors were, as they happen (stderr: the table stays whole on stdout).
		const kinds = [...new Set(lines.map((l) => l.lastError).filter((k) => k))];
		if (errors > 0)
			console.error(`[bench] ${last.at}: ${errors} errors, last: ${kinds.join('; ')}`);
		const times = pageTimes.slice(pagesBefore);
		const p95 = Math.round(quantile(times, 0.95));
		summary.worstBehind = Math.max(summary.worstBehind, behind);
		summary.errors += errors;
		summary.pages += times.length;
		summary.pageErrors += pageErrors - pageErrorsBefore;
		if (times.length) summary.p95s.push(p95);
		console.log(
			`| ${last.at} | ${requests.toLocaleString('en-US')} | ${behind} | ${errors} | ${times.length} | ${p95} | ${pageErrors - pageErrorsBefore} | ${cpu('server')} | ${cpu('postgres')} | ${cpu('simulator')} | ${cpu('browser')} | ${last.data} |`
		);
	}
	console.log(
		`\n[bench] ${hours} simulated hours at ${speed}x: worst behind-by ${summary.worstBehind} simulated min, ${summary.errors} request errors${errorKinds.length ? ` (${errorKinds.join('; ')})` : ''}, ${summary.pages} pages (worst hourly p95 ${Math.max(0, ...summary.p95s)} ms), ${summary.pageErrors} page errors${errorSamples.length ? ` (${errorSamples.join('; ')})` : ''}; data folder ${(folderSize(dataDir) / 1e9).toFixed(2)} GB`
	);
	for (const line of serverLines.filter((l) => /froze|archiv|alerts\]/.test(l)).slice(-12))
		console.log(`[bench] server: ${line}`);
} finally {
	browsing = false;
	await Promise.all(people);
	await browser?.close();
	demo.kill('SIGINT');
	await demoExit;
	if (fresh) rmSync(path.dirname(dataDir), { recursive: true, force: true });
}
