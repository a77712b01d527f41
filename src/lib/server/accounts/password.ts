/** Passwords: argon2id with the parameters the Lucia guide and OWASP recommend. */
import { hash, verify } from '@node-rs/argon2';

const OPTIONS = { memoryCost: 19_456, timeCost: 2, outputLen: 32, parallelism: 1 };
export const MIN_PASSWORD_LENGTH = 10;

export const hashPassword = (password: string) => hash(password, OPTIONS);

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
	try {
		return await verify(passwordHash, password);
	} catch {
		return false;
	}
}

/** A hash of nothing anyone knows, verified when the email is unknown: the same work, the same time. */
let decoy: Promise<string> | undefined;
export const decoyHash = () => (decoy ??= hashPassword(crypto.randomUUID()));
