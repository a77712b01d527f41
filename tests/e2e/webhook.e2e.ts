/**
 * The alert webhook survives a crash: a change queued while the receiver is down, then the server
 * killed with SIGKILL, is delivered (signed) after the restart, once the receiver is up.
 */
import { randomUUID } from 'node:crypto';
import { tempDir } from '../fixtures/temp';
import { rmSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { SIGNATURE_HEADER, signature } from '../../src/lib/server/alerts/webhook';
import type { AlertEvent } from '../../src/lib/protocol/live';
import { bulkTokens } from '../fixtures/cli';
import { startServer } from '../fixtures/server';

test('an alert change queued before a SIGKILL is delivered after the restart', async () => {
	test.setTimeout(180_000);
	const PORT = 4193;
	const RECEIVER = 4194;
	const secret = 'webhook-secret-for-the-test';
	const work = tempDir('pantau-webhook-');
	const env = {
		DATA_DIR: path.join(work, 'data'),
		DATABASE_URL: '',
		SEED_PROVINCES: '75',
		DEMO: '0',
		ALERT_WEBHOOK_URL: `http://127.0.0.1:${RECEIVER}/alerts`,
		ALERT_WEBHOOK_SECRET: secret
	};
	const received: { events: AlertEvent[]; valid: boolean }[] = [];
	const receiver = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			received.push({
				events: (JSON.parse(body) as { alerts: AlertEvent[] }).alerts,
				valid: req.headers[SIGNATURE_HEADER] === signature(secret, body)
			});
			res.end('ok');
		});
	});
	try {
		let server = await startServer(PORT, env);
		const [[tps, token]] = bulkTokens('7501', env);
		// A decrease opens a data-quality alert; the receiver is not listening yet.
		for (const [verified, minutesAgo] of [
			[80, 2],
			[40, 1]
		]) {
			const answer = await fetch(`http://127.0.0.1:${PORT}/api/v1/heartbeats`, {
				method: 'POST',
				headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
				body: JSON.stringify({
					heartbeats: [
						{
							id: randomUUID(),
							tps,
							verified,
							recordedAt: new Date(Date.now() - minutesAgo * 60_000).toISOString()
						}
					]
				})
			});
			expect(answer.status).toBe(200);
		}
		// Queued: give the alert check (after the answer) a moment, then kill the server.
		await new Promise((resolve) => setTimeout(resolve, 1_000));
		server.kill('SIGKILL');
		await new Promise((resolve) => server.once('exit', resolve));
		await new Promise<void>((resolve) => receiver.listen(RECEIVER, '127.0.0.1', resolve));
		server = await startServer(PORT, env);
		await expect
			.poll(() => received.flatMap((r) => r.events).filter((e) => e.subject === tps).length, {
				timeout: 30_000
			})
			.toBe(1);
		const [event] = received.flatMap((r) => r.events).filter((e) => e.subject === tps);
		expect(event).toMatchObject({ rule: 'data_quality', status: 'open' });
		expect(received.every((r) => r.valid)).toBe(true);
		server.kill('SIGTERM');
		await new Promise((resolve) => server.once('exit', resolve));
	} finally {
		await new Promise((resolve) => receiver.close(resolve));
		rmSync(work, { recursive: true, force: true });
	}
});
