/**
 * Random bearer tokens stored only as their SHA-256 hash, as the Lucia guide does for sessions:
 * 160 random bits, base32, with a prefix that says what the token is for.
 */
import { sha256 } from '@oslojs/crypto/sha2';
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from '@oslojs/encoding';

const encoder = new TextEncoder();

export function generateToken(prefix: string): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return `${prefix}_${encodeBase32LowerCaseNoPadding(bytes)}`;
}

export function hashToken(token: string): string {
	return encodeHexLowerCase(sha256(encoder.encode(token)));
}
