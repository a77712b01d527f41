import type { Role } from '$lib/domain/roles';

declare global {
	namespace App {
		interface Locals {
			user: {
				id: number;
				email: string;
				name: string;
				role: Role;
				scope: string;
				/** True for API tokens: they can never change data. */
				readOnly: boolean;
			} | null;
			sessionId: string | null;
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
