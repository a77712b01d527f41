/** What the account pages show of the owner's factors, with times in the owner's zone. */
import { zoneOf } from '../../domain/calendar';
import { formatZoneTime } from '../../format';
import { eq } from 'drizzle-orm';
import type { Database } from '../platform/db/client';
import { users } from '../platform/db/schema';
import QRCode from 'qrcode';
import { totpUri } from '../../domain/second-factor';
import { factorsOf, ISSUER, pendingTotpSecret } from './factors';

export const timeIn = (scope: string) => (at: Date) =>
	formatZoneTime(at.toISOString(), zoneOf(scope).name);

/** The app's QR code (SVG) and its key spaced in fours, for a person typing it by hand. */
export async function totpDisplay(secret: string, email: string) {
	const qr = await QRCode.toString(totpUri(ISSUER, email, secret), {
		type: 'svg',
		errorCorrectionLevel: 'M',
		margin: 1
	});
	return { secret: secret.replace(/(.{4})/g, '$1 ').trim(), qr };
}

export async function factorView(db: Database, user: { id: number; scope: string; email: string }) {
	const [factors, [account], pending] = await Promise.all([
		factorsOf(db, user.id),
		db.select({ resetAt: users.factorsResetAt }).from(users).where(eq(users.id, user.id)),
		pendingTotpSecret(db, user.id)
	]);
	const when = timeIn(user.scope);
	return {
		/** When an admin reset the factors, until the owner next finishes signing in. */
		resetAt: account?.resetAt ? when(account.resetAt) : null,
		totp: factors.totp,
		/** An app enrolment begun and not confirmed: shown again (a mistyped code keeps it). */
		pendingTotp: pending ? await totpDisplay(pending, user.email) : null,
		recoveryLeft: factors.recoveryLeft,
		passkeys: factors.passkeys.map((k) => ({
			id: k.id,
			name: k.name,
			createdAt: when(k.createdAt),
			lastUsedAt: k.lastUsedAt ? when(k.lastUsedAt) : null
		}))
	};
}
