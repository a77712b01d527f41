/**
 * Enrolling phones (issuing device tokens, which revokes the Pantarlih's earlier ones) and
 * revoking them. Coordinators and admins, within their region; the change and its audit entry in
 * one transaction; then every process's token cache hears of it (`tokensRevoked`).
 */
import { sql } from 'drizzle-orm';
import { commonRegion } from '../../domain/codes';
import { ensure } from '../../domain/errors';
import { canManageDevices } from '../../domain/roles';
import { audit } from '../audit/record';
import { rows, type Database } from '../platform/db/client';
import { inList } from '../platform/db/sql';
import type { EventBus } from '../platform/events';
import { issueDeviceTokens, revokeDeviceTokens, type IssuedToken } from '../ingest/device-tokens';
import type { Actor } from '../accounts/actor';

/** The advisory lock every enrolment holds for its transaction. */
const ENROLMENT_LOCK = 7_301_001;

export interface DeviceDeps {
	db: Database;
	/** Absent in a CLI that runs without a server (no token cache to tell). */
	bus?: EventBus;
}

/**
 * New tokens for the Pantarlih of `codes` (one TPS, a village, or a CLI's bulk chunk), named
 * `subject` in the audit log. Their earlier tokens stop working at once; with `onlyUnenrolled`,
 * TPS whose phone holds a live token are left as they are (decided inside the transaction, under
 * the enrolment lock, so a phone enrolled meanwhile is never revoked by a bulk run).
 */
export async function enrolPhones(
	deps: DeviceDeps,
	actor: Actor,
	codes: readonly string[],
	subject: string,
	options: { onlyUnenrolled?: boolean } = {}
): Promise<IssuedToken[]> {
	ensure(
		codes.length > 0 && codes.every((code) => canManageDevices(actor, code)),
		'devicesForbidden'
	);
	const issued = await deps.db.transaction(async (tx) => {
		// One enrolment at a time (they are rare): the check below sees every earlier one.
		await tx.execute(sql`select pg_advisory_xact_lock(${ENROLMENT_LOCK})`);
		let chosen = codes;
		if (options.onlyUnenrolled) {
			const enrolled = new Set(
				(
					await rows<{ tps_code: string }>(
						tx,
						sql`select distinct tps_code from device_tokens
							where revoked_at is null and ${inList(sql`tps_code`, codes)}`
					)
				).map((r) => r.tps_code)
			);
			chosen = codes.filter((code) => !enrolled.has(code));
		}
		if (chosen.length === 0) return [];
		const tokens = await issueDeviceTokens(tx, chosen);
		await audit(tx, actor, {
			action: 'device.enrol',
			subject,
			region: commonRegion(chosen),
			after: { tps: chosen.length, revokedEarlier: !options.onlyUnenrolled }
		});
		return tokens;
	});
	if (issued.length > 0)
		deps.bus?.emit('tokensRevoked', { tps: issued.map((t) => t.tpsCode), origin: 'local' });
	return issued;
}

/** Revokes every token of a TPS's Pantarlih; returns how many. */
export async function revokePhone(deps: DeviceDeps, actor: Actor, tps: string): Promise<number> {
	ensure(canManageDevices(actor, tps), 'devicesForbidden');
	const count = await deps.db.transaction(async (tx) => {
		const revoked = await revokeDeviceTokens(tx, tps);
		await audit(tx, actor, {
			action: 'device.revoke',
			subject: tps,
			region: tps,
			after: { revoked }
		});
		return revoked;
	});
	deps.bus?.emit('tokensRevoked', { tps: [tps], origin: 'local' });
	return count;
}
