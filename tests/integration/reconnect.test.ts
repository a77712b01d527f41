/**
 * A PostgreSQL that goes away and comes back (a restart, a failover): while it is down every
 * query fails at once with an error, and once it is back the same handle answers again, however
 * many queries failed meanwhile. Found by the fault suite: each connection attempt refused while
 * the embedded server restarted kept one place of the pool forever (the socket factory's refusal
 * never reached the driver's close handling), so after as many refusals as the pool had places
 * every query waited for ever and the server answered 503 until it was restarted itself.
 */
import { rmSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/lib/server/platform/db/client';
import { startEmbeddedPostgres } from '../../src/lib/server/platform/db/embedded';
import { tempDir } from '../fixtures/temp';

const work = tempDir('pantau-reconnect-');
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The query's outcome, or 'no answer' when it neither answers nor fails within `ms`. */
function within<T>(query: Promise<T>, ms: number): Promise<T | 'no answer'> {
	return Promise.race([
		query,
		new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms))
	]);
}

describe('a database that restarts', () => {
	it('fails each query while it is down and answers again once it is back', async () => {
		let server = await startEmbeddedPostgres(work);
		const handle = await openDatabase({ databaseUrl: server.url, poolSize: 3 });
		try {
			expect(await handle.sql`select 1 as one`).toEqual([{ one: 1 }]);
			await server.stop();

			// Three times as many failures as the pool has connections.
			const outcomes: string[] = [];
			for (let i = 0; i < 9; i++)
				outcomes.push(
					await within(
						handle.sql`select 1 as one`.then(
							() => 'answered',
							() => 'failed'
						),
						5_000
					)
				);
			expect(outcomes).toEqual(Array(9).fill('failed'));

			server = await startEmbeddedPostgres(work);
			const again = await within(
				Promise.all([1, 2, 3, 4].map(() => handle.sql`select 1 as one`)),
				10_000
			);
			expect(again).toEqual(Array(4).fill([{ one: 1 }]));
		} finally {
			await handle.close().catch(() => {});
			await server.stop();
		}
	});
});
