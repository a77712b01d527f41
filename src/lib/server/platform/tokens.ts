/**
 * Random bearer tokens stored only as their SHA-256 hash, as the Lucia guide does for sessions:
 * 160 random bits, base32, with a prefix that says what the token is for. The hash is Node's own
 * (OpenSSL): every sync request hashes its device token, and the guide's pure-JS SHA-256 cost
 * several times more per request on the ingest path.
 */
import { createHash } from 'node:crypto';
import { encodeBase32LowerCaseNoPadding } from '@oslojs/encoding';

export function generateToken(prefix: string): string {
	const bytes = new Uint8Array(20);
	crypto.getRandomValues(bytes);
	return `${prefix}_${encodeBase32LowerCaseNoPadding(bytes)}`;
}

export function hashToken(token: string): string {
	return createHash('sha256').update(token, 'utf8').digest('hex');
}
