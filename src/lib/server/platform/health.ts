/**
 * GET /readyz: ready when the database answers within 2 s and the roll-ups are loaded. Checked at
 * most once a second, so a load balancer may ask every second.
 */
import { sql } from 'drizzle-orm';
import type { Database } from './db/client';
import { describe } from './log';

export interface Readiness {
	ready: boolean;
	reason?: string;
}

export function readinessCheck(db: Database, loaded: () => boolean): () => Promise<Readiness> {
	let last = { at: 0, result: { ready: true } as Readiness };
	return async () => {
		if (Date.now() - last.at < 1_000) return last.result;
		let result: Readiness = { ready: true };
		try {
			await Promise.race([
				db.execute(sql`select 1`),
				new Promise((_, reject) =>
					setTimeout(() => reject(new Error('no answer within 2 s')), 2_000).unref()
				)
			]);
			if (!loaded()) result = { ready: false, reason: 'roll-ups are not loaded' };
		} catch (error) {
			result = { ready: false, reason: `the database does not answer: ${describe(error)}` };
		}
		last = { at: Date.now(), result };
		return result;
	};
}
