/**
 * Enrolling phones (issuing device tokens, which revokes the Pantarlih's earlier ones) and
 * revoking them. Coordinators and admins, within their region; the change and its audit entry in
 * one transaction; then every process's token cache hears of it (`tokensRevoked`).
 */
import { commonRegion } from '../../domain/codes';
import { ensure } from '../../domain/errors';
import { canManageDevices } from '../../domain/roles';
import { audit } from '../auth/audit';
import type { Database } from '../db/client';
import type { EventBus } from '../events';
import { issueDeviceTokens, revokeDeviceTokens, type IssuedToken } from '../ingest/device-tokens';
import type { Actor } from './actor';

export interface DeviceDeps {
	db: Database;
	/** Absent in a CLI that runs without a server (no token cache to tell). */
	bus?: EventBus;
}

/**
 * New tokens for the Pantarlih of `codes` (one TPS, a village, or a CLI's bulk chunk), named
 * `subject` in the audit log. Their earlier tokens stop working at once.
 */
export async function enrolPhones(
	deps: DeviceDeps,
	actor: Actor,
	codes: readonly string[],
	subject: string
): Promise<IssuedToken[]> {
	ensure(
		codes.length > 0 && codes.every((code) => canManageDevices(actor, code)),
		'devicesForbidden'
	);
	const issued = await deps.db.transaction(async (tx) => {
		const tokens = await issueDeviceTokens(tx, codes);
		await audit(tx, actor, {
			action: 'device.enrol',
			subject,
			region: commonRegion(codes),
			after: { tps: codes.length, revokedEarlier: true }
		});
		return tokens;
	});
	deps.bus?.emit('tokensRevoked', { tps: [...codes], origin: 'local' });
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
