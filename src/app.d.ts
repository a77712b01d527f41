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
		interface Error {
			message: string;
		}
	}
}

export {};
