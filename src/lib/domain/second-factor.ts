/**
 * The second step of signing in, as rules: which sign-in needs which next step, when a dangerous act
 * asks for a fresh proof, how authenticator-app codes (TOTP, RFC 6238: 6 digits, 30 s) are
 * accepted once with a little clock drift, what a recovery code looks like, and a browser's
 * User-Agent in words. Pure; the codes come from @oslojs/otp (HOTP of RFC 4226 per time step).
 */
import { generateHOTP } from '@oslojs/otp';
import Bowser from 'bowser';
import type { Role } from './roles';

/** Roles that must have a second factor unless configured otherwise (README, SECOND_FACTOR_ROLES). */
export const DEFAULT_SECOND_FACTOR_ROLES: readonly Role[] = ['admin', 'leader', 'coordinator'];

/** What a session may do after a correct password. */
export type SessionStage = 'full' | 'second_factor' | 'enrol';

export interface SignInFacts {
	role: Role;
	/** A confirmed authenticator app or at least one passkey. */
	hasFactor: boolean;
	/** This browser proved a factor for the account within the trust it was given (≤ 30 days). */
	trustedBrowser: boolean;
	/** A demo account while DEMO=1: its password is public, the demo lets it in without a factor. */
	demoAccount: boolean;
	requiredRoles: readonly Role[];
}

/**
 * The stage a correct password leads to: the second step when a factor is enrolled (unless this
 * browser is trusted), enrolment when the role requires a factor and none is enrolled, else full.
 */
export function signInStage(facts: SignInFacts): SessionStage {
	if (facts.hasFactor) return facts.trustedBrowser ? 'full' : 'second_factor';
	if (facts.demoAccount) return 'full';
	return facts.requiredRoles.includes(facts.role) ? 'enrol' : 'full';
}

/** A dangerous act asks for a new proof when the last one is older than this. */
export const REAUTH_MS = 10 * 60_000;

export const needsReauth = (provenAt: Date, now: Date): boolean =>
	now.getTime() - provenAt.getTime() > REAUTH_MS;

/** A browser that proved a factor skips the second step for at most this many days. */
export const TRUST_DAYS = 30;

// --- authenticator-app codes (TOTP) ---------------------------------------------------------------

export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Steps of clock drift tolerated either way (2: a phone a minute fast or slow). */
export const TOTP_DRIFT_STEPS = 2;

export const totpStep = (nowMs: number): number => Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);

/** The code an authenticator shows at a time step. */
export const totpCode = (secret: Uint8Array, step: number): string =>
	generateHOTP(secret, BigInt(step), TOTP_DIGITS);

export type TotpCheck =
	{ ok: true; step: number } | { ok: false; reason: 'format' | 'wrong' | 'replayed' };

/**
 * Checks a typed code against the secret at `nowMs`: the step it belongs to within the drift, and
 * only a step after `lastStep` (the last code accepted), so that a code works once and an older
 * code cannot follow a newer one. Spaces and dashes people type are ignored.
 */
export function checkTotp(
	secret: Uint8Array,
	typed: string,
	nowMs: number,
	lastStep: number
): TotpCheck {
	const code = typed.replace(/[\s-]/g, '');
	if (!/^\d{6}$/.test(code)) return { ok: false, reason: 'format' };
	const now = totpStep(nowMs);
	let replayed = false;
	for (let step = now - TOTP_DRIFT_STEPS; step <= now + TOTP_DRIFT_STEPS; step++) {
		if (!equalCodes(totpCode(secret, step), code)) continue;
		if (step > lastStep) return { ok: true, step };
		replayed = true;
	}
	return { ok: false, reason: replayed ? 'replayed' : 'wrong' };
}

/** Compares two codes of equal length without an early exit. */
function equalCodes(a: string, b: string): boolean {
	if (a.length !== b.length) return false;
	let diff = 0;
	for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
	return diff === 0;
}

/** The text of an authenticator's QR code (the otpauth:// "Key URI" format). */
export function totpUri(issuer: string, account: string, secretBase32: string): string {
	const label = encodeURIComponent(`${issuer}:${account}`);
	const query = new URLSearchParams({
		secret: secretBase32,
		issuer,
		algorithm: 'SHA1',
		digits: String(TOTP_DIGITS),
		period: String(TOTP_PERIOD_SECONDS)
	});
	return `otpauth://totp/${label}?${query}`;
}

// --- recovery codes --------------------------------------------------------------------------------

export const RECOVERY_CODE_COUNT = 10;
/** Letters and digits that cannot be misread for one another (no 0/o, 1/l/i). */
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';

/** A recovery code from 10 random bytes: `xxxxx-xxxxx`, about 49 bits. */
export function recoveryCodeFrom(bytes: Uint8Array): string {
	if (bytes.length < 10) throw new Error('a recovery code needs 10 random bytes');
	const letters = [...bytes.slice(0, 10)].map(
		(b) => RECOVERY_ALPHABET[b % RECOVERY_ALPHABET.length]
	);
	return `${letters.slice(0, 5).join('')}-${letters.slice(5).join('')}`;
}

/** A typed recovery code as stored: lower case, without spaces or dashes; null if it cannot be one. */
export function normaliseRecoveryCode(typed: string): string | null {
	const code = typed.toLowerCase().replace(/[\s-]/g, '');
	return /^[a-z0-9]{10}$/.test(code) ? code : null;
}

// --- a browser in words ------------------------------------------------------------------------------

/** "Chrome 131 · Android 14" from a User-Agent; null parts when it says nothing we know. */
export function describeBrowser(userAgent: string | null | undefined): {
	browser: string | null;
	system: string | null;
} {
	if (!userAgent) return { browser: null, system: null };
	const parsed = Bowser.parse(userAgent.slice(0, 1_000));
	const major = parsed.browser.version?.split('.')[0];
	const browser = parsed.browser.name ? `${parsed.browser.name}${major ? ` ${major}` : ''}` : null;
	const system = parsed.os.name
		? `${parsed.os.name}${(parsed.os.versionName ?? parsed.os.version) ? ` ${parsed.os.versionName ?? parsed.os.version}` : ''}`
		: null;
	return { browser, system };
}
