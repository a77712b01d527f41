/**
 * Who does a change: an account signed in through a page (with their role, scope and address),
 * or the operator at the command line (everything, as `cli`). Verbs check the actor's rights on
 * their first line (domain/roles.ts) and name the actor in the audit entry they write.
 */
import type { Principal } from '../../domain/roles';

export interface Actor extends Principal {
	/** The account's id; null for the command line and the system itself. */
	userId: number | null;
	/** The account's email, or `cli`, `demo`. */
	email: string;
	/** The person's name, where a change shows who made it (follow-up notes). */
	name?: string;
	ip?: string | null;
}

/** The operator at `npm run cli`: the machine's owner, who may do everything. */
export const CLI: Actor = { role: 'admin', scope: 'id', userId: null, email: 'cli', name: 'cli' };

/** A signed-in request's actor (`locals.user` and the client's address). */
export function actorOf(
	user: {
		id: number;
		email: string;
		name: string;
		role: Principal['role'];
		scope: string;
		readOnly: boolean;
	},
	ip: string | null
): Actor {
	return {
		role: user.role,
		scope: user.scope,
		readOnly: user.readOnly,
		userId: user.readOnly ? null : user.id,
		email: user.email,
		name: user.name,
		ip
	};
}
