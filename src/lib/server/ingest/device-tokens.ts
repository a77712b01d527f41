/**
 * Device tokens: one phone's credential, bound to one Pantarlih and their TPS. Issuing a token
 * revokes the Pantarlih's earlier ones (one enrolled phone at a time). People change them through
 * roster/enrol-verbs.ts, which checks rights and audits; these functions only move the rows.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type postgres from 'postgres';
import { isTpsCode } from '../../domain/codes';
import { AppError } from '../../domain/errors';
import type { Database } from '../platform/db/client';
import { inList } from '../platform/db/sql';
import type { EventBus } from '../platform/events';
import { appNow, deviceTokens, pantarlih } from '../platform/db/schema';
import { generateToken, hashToken } from '../platform/tokens';

export const DEVICE_TOKEN_PREFIX = 'pcd';

export interface IssuedToken {
	token: string;
	tpsCode: string;
	pantarlihId: number;
	pantarlihName: string;
}

/** Issues tokens for the Pantarlih of each TPS, revoking their earlier tokens. */
export async function issueDeviceTokens(
	db: Database,
	tpsCodes: readonly string[]
): Promise<IssuedToken[]> {
	const bad = tpsCodes.find((code) => !isTpsCode(code));
	if (bad !== undefined) throw new AppError('badTpsCode', { given: bad });
	const codes = JSON.stringify(tpsCodes);
	return db.transaction(async (tx) => {
		const people = await tx
			.select({ id: pantarlih.id, name: pantarlih.name, tpsCode: pantarlih.tpsCode })
			.from(pantarlih)
			.where(sql`${pantarlih.tpsCode} in (select json_array_elements_text(${codes}::json))`);
		const byTps = new Map(people.map((p) => [p.tpsCode, p]));
		const missing = tpsCodes.find((code) => !byTps.has(code));
		if (missing) throw new AppError('noPantarlih', { tps: missing });
		await tx
			.update(deviceTokens)
			.set({ revokedAt: appNow })
			.where(
				and(
					sql`${deviceTokens.tpsCode} in (select json_array_elements_text(${codes}::json))`,
					isNull(deviceTokens.revokedAt)
				)
			);
		const issued = tpsCodes.map((code) => {
			const person = byTps.get(code)!;
			return {
				token: generateToken(DEVICE_TOKEN_PREFIX),
				tpsCode: code,
				pantarlihId: person.id,
				pantarlihName: person.name
			};
		});
		for (let i = 0; i < issued.length; i += 5_000) {
			await tx.insert(deviceTokens).values(
				issued.slice(i, i + 5_000).map((t) => ({
					tokenHash: hashToken(t.token),
					pantarlihId: t.pantarlihId,
					tpsCode: t.tpsCode
				}))
			);
		}
		return issued;
	});
}

/** Revokes every active token of the Pantarlih of a TPS; returns how many. */
export async function revokeDeviceTokens(db: Database, tpsCode: string): Promise<number> {
	if (!isTpsCode(tpsCode)) throw new AppError('badTpsCode', { given: tpsCode });
	const revoked = await db
		.update(deviceTokens)
		.set({ revokedAt: appNow })
		.where(and(eq(deviceTokens.tpsCode, tpsCode), isNull(deviceTokens.revokedAt)))
		.returning({ id: deviceTokens.id });
	return revoked.length;
}

/** Writes when tokens were last used (server time, ms), one statement for many tokens. */
export async function recordTokenUse(db: Database, lastUsed: Map<number, number>): Promise<void> {
	if (lastUsed.size === 0) return;
	const entries = [...lastUsed].map(([id, at]) => ({ id, at: new Date(at).toISOString() }));
	await db.execute(
		sql`update device_tokens set last_used_at = greatest(last_used_at, x.at)
			from json_to_recordset(${JSON.stringify(entries)}::json) as x(id int, at timestamptz)
			where device_tokens.id = x.id`
	);
}

export interface DeviceIdentity {
	tokenId: number;
	pantarlihId: number;
	tpsCode: string;
}

/**
 * Looks tokens up by hash, remembering answers for `ttlMs` so that the hot path rarely reads
 * the table. Lookups made in the same turn of the event loop go to the database as one query
 * (after an outage thousands of phones arrive at once, most of them not cached). A revocation
 * made anywhere takes effect at once: the database announces each one on the
 * `device_tokens_revoked` channel (a trigger, migration 0015, whoever made it: a page, the CLI,
 * plain SQL), which every server LISTENs to (`followDatabase`), and the `tokensRevoked` event on
 * the bus does the same within a process. So answers can be kept for long (TOKEN_CACHE_MS, 30
 * minutes by default): a phone that syncs every 10 to 30 minutes is looked up once a session, not
 * at every sync (in the national demo the lookups were 40% of PostgreSQL's time with 5 s).
 */
export class DeviceTokenCache {
	private entries = new Map<string, { identity: DeviceIdentity | null; expires: number }>();
	private waiting = new Map<string, ((identity: DeviceIdentity | null) => void)[]>();
	private failures = new Map<string, ((error: unknown) => void)[]>();
	private scheduled = false;
	/** Grows with each `forget`: an answer read before a revocation is not cached after it. */
	private generation = 0;

	constructor(
		private db: Database,
		private ttlMs: number,
		/** At most this many answers are kept; the oldest go first. */
		private maxEntries = 250_000
	) {}

	/** TPS announced by the database as revoked, forgotten together once per turn. */
	private announced = new Set<string>();

	get size(): number {
		return this.entries.size;
	}

	lookup(token: string): Promise<DeviceIdentity | null> {
		const hash = hashToken(token);
		const cached = this.entries.get(hash);
		if (cached && cached.expires > Date.now()) return Promise.resolve(cached.identity);
		return new Promise((resolve, reject) => {
			const list = this.waiting.get(hash);
			if (list) {
				list.push(resolve);
				this.failures.get(hash)!.push(reject);
			} else {
				this.waiting.set(hash, [resolve]);
				this.failures.set(hash, [reject]);
			}
			if (!this.scheduled) {
				this.scheduled = true;
				setImmediate(() => void this.fetch());
			}
		});
	}

	private async fetch(): Promise<void> {
		this.scheduled = false;
		const waiting = this.waiting;
		const failures = this.failures;
		this.waiting = new Map();
		this.failures = new Map();
		const hashes = [...waiting.keys()];
		const generation = this.generation;
		try {
			const found = new Map<string, DeviceIdentity>();
			for (let i = 0; i < hashes.length; i += 5_000) {
				// One statement text whatever the count (an array parameter): PostgreSQL parses
				// and plans it once per connection, not once per list length.
				const rows = await this.db
					.select({
						hash: deviceTokens.tokenHash,
						tokenId: deviceTokens.id,
						pantarlihId: deviceTokens.pantarlihId,
						tpsCode: deviceTokens.tpsCode
					})
					.from(deviceTokens)
					.where(
						and(
							inList(sql`${deviceTokens.tokenHash}`, hashes.slice(i, i + 5_000)),
							isNull(deviceTokens.revokedAt)
						)
					);
				for (const { hash, ...identity } of rows) found.set(hash, identity);
			}
			const now = Date.now();
			for (const [hash, callbacks] of waiting) {
				const identity = found.get(hash) ?? null;
				// Unknown tokens are remembered briefly too, so a flood of bad ones cannot hammer the table.
				// Re-inserted at the end, so the Map's order is oldest answer first.
				this.entries.delete(hash);
				if (generation === this.generation)
					this.entries.set(hash, {
						identity,
						expires: now + (identity ? this.ttlMs : Math.min(this.ttlMs, 1_000))
					});
				for (const resolve of callbacks) resolve(identity);
			}
			// Bounded: 820,000 phones syncing in turn would otherwise keep every token in memory.
			for (const oldest of this.entries.keys()) {
				if (this.entries.size <= this.maxEntries) break;
				this.entries.delete(oldest);
			}
		} catch (error) {
			for (const rejects of failures.values()) for (const reject of rejects) reject(error);
		}
	}

	/** Follows revocations anywhere (`tokensRevoked`); a lost message from another process forgets all. */
	listen(bus: EventBus): void {
		bus.on('tokensRevoked', (e) => this.forget(e.tps));
		bus.on('missed', () => this.forgetAll());
	}

	/**
	 * Follows the database's announcements of revoked tokens (LISTEN). Announcements lost while
	 * the listening connection was down are unknown, so a reconnection forgets every answer.
	 * Returns the function that stops listening.
	 */
	async followDatabase(sql: postgres.Sql): Promise<() => Promise<void>> {
		let connected = false;
		const { unlisten } = await sql.listen(
			'device_tokens_revoked',
			(tps) => this.announce(tps),
			() => {
				if (connected) this.forgetAll();
				connected = true;
			}
		);
		return unlisten;
	}

	private announce(tps: string): void {
		if (this.announced.size === 0)
			setImmediate(() => {
				const codes = [...this.announced];
				this.announced.clear();
				// A bulk re-enrolment announces thousands: forgetting everything is cheaper than a scan each.
				if (codes.length > 1_000) this.forgetAll();
				else this.forget(codes);
			});
		this.announced.add(tps);
	}

	private forgetAll(): void {
		this.generation += 1;
		this.entries.clear();
	}

	/** Forgets the cached answers for these TPS (their tokens were revoked). */
	forget(tpsCodes: readonly string[]): void {
		this.generation += 1;
		const gone = new Set(tpsCodes);
		for (const [hash, entry] of this.entries)
			if (entry.identity && gone.has(entry.identity.tpsCode)) this.entries.delete(hash);
	}
}
