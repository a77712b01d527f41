import type { Identity } from '$lib/server/accounts/identify';

declare global {
	namespace App {
		interface Locals {
			/** Who sent the request (auth/identify.ts): an API token's account, or a session's. */
			user: Identity['user'] | null;
			sessionId: string | null;
			/** The session behind a page request (stage, last proof), if any. */
			session: Identity['session'];
			/** An account that has passed the password only: its next step of signing in. */
			pending: Identity['user'] | null;
		}
		/** What an error page and a JSON error carry: the sentence, and its problem code or log id. */
		interface Error {
			message: string;
			problem?: string;
			/** The log line's id of an unexpected error. */
			id?: string;
		}
	}
}

export {};
