import { z } from 'zod';
import { canManageUser } from '$lib/domain/roles';
import { actorOf } from '$lib/server/accounts/actor';
import { timeIn } from '$lib/server/accounts/account-page';
import {
	API_TOKEN_DEFAULT_DAYS,
	API_TOKEN_MAX_DAYS,
	listApiTokens
} from '$lib/server/accounts/api-tokens';
import { issueApiToken, revokeApiToken } from '$lib/server/accounts/account-verbs';
import { requireRecentProof } from '$lib/server/accounts/second-step';
import { formAction, formText } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad } from './$types';

/**
 * Read-only API tokens: the owner's own, and for admins and leaders those of the accounts they
 * manage; issued with a term (90 days unless chosen), listed with last use, revoked one by one.
 */
export const load: PageServerLoad = async ({ locals }) => {
	const me = locals.user!;
	const { handle } = await services();
	const when = timeIn(me.scope);
	const now = Date.now();
	const tokens = (await listApiTokens(handle.db)).filter(
		(row) => row.userId === me.id || canManageUser(me, row)
	);
	return {
		defaultDays: API_TOKEN_DEFAULT_DAYS,
		maxDays: API_TOKEN_MAX_DAYS,
		tokens: tokens.map((row) => ({
			id: row.id,
			label: row.label,
			access: row.access,
			email: row.email,
			own: row.userId === me.id,
			state: row.revokedAt ? 'revoked' : row.expiresAt.getTime() <= now ? 'expired' : 'live',
			createdAt: when(row.createdAt),
			expiresAt: when(row.expiresAt),
			revokedAt: row.revokedAt ? when(row.revokedAt) : null,
			lastUsedAt: row.lastUsedAt ? when(row.lastUsedAt) : null
		}))
	};
};

const issueForm = z.object({ label: formText(100), days: formText(5), email: formText(320) });
const revokeForm = z.object({ id: formText(12) });

export const actions: Actions = {
	issue: formAction(issueForm, async ({ locals, getClientAddress }, form, _data, t) => {
		const me = locals.user!;
		requireRecentProof(locals.session);
		const { handle } = await services();
		const { token, user, expiresAt } = await issueApiToken(
			handle.db,
			actorOf(me, getClientAddress()),
			form.email || me.email,
			form.label.trim() || 'API',
			form.days === '' ? API_TOKEN_DEFAULT_DAYS : Number(form.days)
		);
		return {
			message: t('account.tokenIssued', {
				email: user.email,
				until: timeIn(me.scope)(expiresAt)
			}),
			token
		};
	}),
	revoke: formAction(revokeForm, async ({ locals, getClientAddress }, form, _data, t) => {
		const { handle } = await services();
		await revokeApiToken(handle.db, actorOf(locals.user!, getClientAddress()), Number(form.id));
		return { message: t('account.tokenRevoked') };
	})
};
