/** Passwords: argon2id with the parameters the Lucia guide and OWASP recommend; a strength check. */
import { hash, verify } from '@node-rs/argon2';
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';

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

/**
 * How hard a password is to guess, offline (@zxcvbn-ts/core with its common dictionary: the most
 * used and most breached passwords, names, keyboard patterns; plus words of this field): 0 to 4.
 * The dictionaries load once, on first use (about 0.1 s).
 */
let estimator: ZxcvbnFactory | undefined;
const FIELD_WORDS = [
	'pantau',
	'coklit',
	'pantarlih',
	'pemilu',
	'pilkada',
	'bawaslu',
	'kpu',
	'indonesia',
	'jakarta',
	'rahasia',
	'katasandi',
	'sandi',
	'merdeka',
	'garuda',
	'bismillah'
];
export function passwordScore(password: string, userInputs: string[] = []): number {
	estimator ??= new ZxcvbnFactory({
		dictionary: { ...common.dictionary, field: FIELD_WORDS },
		graphs: common.adjacencyGraphs
	});
	// The estimate's cost grows with length; a passphrase longer than this is strong anyway.
	return estimator.check(password.slice(0, 100), userInputs).score;
}

/** The score a new password needs (zxcvbn's "safely unguessable": about 10^8 guesses and up). */
export const MIN_PASSWORD_SCORE = 3;
