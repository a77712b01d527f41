/** What the account pages show of the owner's factors, with times in the owner's zone. */
import { zoneOf } from '../../domain/calendar';
import { formatZoneTime } from '../../format';
import { eq } from 'drizzle-orm';
import type { Database } from '../platform/db/client';
import { users } from '../platform/db/schema';
import { factorsOf } from './factors';

export const timeIn = (scope: string) => (at: Date) =>
	formatZoneTime(at.toISOString(), zoneOf(scope).name);

export async function factorView(db: Database, user: { id: number; scope: string }) {
	const [factors, [account]] = await Promise.all([
		factorsOf(db, user.id),
		db.select({ resetAt: users.factorsResetAt }).from(users).where(eq(users.id, user.id))
	]);
	const when = timeIn(user.scope);
	return {
		/** When an admin reset the factors, until the owner next finishes signing in. */
		resetAt: account?.resetAt ? when(account.resetAt) : null,
		totp: factors.totp,
		recoveryLeft: factors.recoveryLeft,
		passkeys: factors.passkeys.map((k) => ({
			id: k.id,
			name: k.name,
			createdAt: when(k.createdAt),
			lastUsedAt: k.lastUsedAt ? when(k.lastUsedAt) : null
		}))
	};
}
