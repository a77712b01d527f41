import { existsSync } from 'node:fs';
import path from 'node:path';
import { defineConfig, devices } from '@playwright/test';

const root = path.resolve(import.meta.dirname, '../..');
const port = Number(process.env.E2E_PORT ?? 4173);
// Playwright cannot download its browser here: use Debian's chromium when it is installed.
const debianChromium = '/usr/bin/chromium';
export const e2eDataDir = path.join(root, 'test-results', 'e2e-data');
/** Everything the e2e server logged during the run (tests/e2e/zz-logs.e2e.ts greps it). */
export const e2eServerLog = path.join(root, 'test-results', 'e2e-server.log');
export const E2E_METRICS_TOKEN = 'e2e-metrics-token-0123456789';

/**
 * Files that start servers of their own (their own data folder or database) and so can run beside
 * the files that share the one e2e server: two projects, each one file at a time, side by side.
 */
const OWN_SERVERS = [
	'durability',
	'month',
	'operations',
	'report',
	'scaleout',
	'simulator',
	'startup',
	'webhook'
].map((name) => `**/${name}.e2e.ts`);

export default defineConfig({
	testDir: path.join(root, 'tests/e2e'),
	testMatch: '**/*.e2e.ts',
	outputDir: path.join(root, 'test-results/playwright'),
	timeout: 60_000,
	workers: 2,
	fullyParallel: false,
	projects: [
		{ name: 'shared-server', testIgnore: OWN_SERVERS, workers: 1 },
		{ name: 'own-servers', testMatch: OWN_SERVERS, workers: 1 }
	],
	reporter: [['list']],
	use: {
		baseURL: `http://localhost:${port}`,
		...devices['Desktop Chrome'],
		launchOptions: existsSync(debianChromium)
			? {
					executablePath: debianChromium,
					args: [
						'--no-sandbox',
						'--headless',
						'--disable-gpu',
						'--disable-background-networking',
						'--disable-component-update',
						'--disable-sync',
						'--no-first-run'
					]
				}
			: {}
	},
	webServer: {
		// The built server on a fresh embedded database with the national geography.
		command: `rm -rf "${e2eDataDir}" && mkdir -p "${path.dirname(e2eServerLog)}" && node src/server/main.js | tee "${e2eServerLog}"`,
		cwd: root,
		url: `http://localhost:${port}/`,
		timeout: 180_000,
		reuseExistingServer: false,
		// SIGTERM, so the server stops its embedded PostgreSQL (a SIGKILL would leave it running).
		gracefulShutdown: { signal: 'SIGTERM', timeout: 20_000 },
		// Its lines go to e2eServerLog (tee); the console would drown in one line per request.
		stdout: 'ignore',
		env: {
			PORT: String(port),
			DATA_DIR: e2eDataDir,
			ORIGIN: `http://localhost:${port}`,
			DATABASE_URL: '',
			DEMO: '1',
			LOG_FORMAT: 'json',
			METRICS_TOKEN: E2E_METRICS_TOKEN
		}
	}
});
