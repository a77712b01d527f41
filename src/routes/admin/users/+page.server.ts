import { AppError } from '$lib/domain/errors';
import { canManageUser, canManageUsers, ROLES } from '$lib/domain/roles';
import { listUsers } from '$lib/server/accounts/users';
import { z } from 'zod';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { changeAccount, createAccount } from '$lib/server/accounts/account-verbs';
import { requireRecentProof } from '$lib/server/accounts/second-step';
import { factorCounts, resetFactors } from '$lib/server/accounts/factors';
import { requestTranslator } from '$lib/i18n';
import { endAccountSessions } from '$lib/server/accounts/session-verbs';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard(async ({ locals, cookies }) => {
	const t = requestTranslator(cookies);
	const me = locals.user!;
	if (!canManageUsers(me)) throw new AppError('usersForbidden');
	const { handle } = await services();
	const all = await listUsers(handle.db);
	const factors = await factorCounts(handle.db);
	return {
		roles: ROLES.filter((role) =>
			canManageUser(me, { role, scope: role === 'admin' ? 'id' : me.scope })
		).map((role) => ({ role })),
		users: all
			.filter((u) => canManageUser(me, u) || u.id === me.id)
			.map((u) => ({
				email: u.email,
				name: u.name,
				role: u.role,
				scope: u.scope,
				disabled: u.disabledAt !== null,
				// "aplikasi, 2 passkey": what the account can prove with, never a secret.
				factors: [
					factors.get(u.id)?.totp ? t('admin.users.factorApp') : null,
					factors.get(u.id)?.passkeys
						? t('admin.users.factorPasskeys', { count: factors.get(u.id)!.passkeys })
						: null
				]
					.filter(Boolean)
					.join(', '),
				manageable: canManageUser(me, u) && u.id !== me.id
			}))
	};
});

const db = async () => (await services()).handle.db;

/** The live sockets of sessions a change ended close now, in every process. */
async function closeSockets(ids: string[]) {
	if (ids.length > 0) (await services()).bus.emit('sessionsEnded', { ids, origin: 'local' });
}

/** The fields of the account forms (each action reads those it needs; the verbs check them). */
const accountForm = z.object({
	email: formText(320),
	name: formText(200),
	password: formText(1_000),
	role: formText(40),
	scope: formText(40),
	disabled: formText(1)
});

export const actions: Actions = {
	create: formAction(accountForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const user = await createAccount(await db(), actorOf(locals.user!, getClientAddress()), form);
		return { message: t('admin.users.created', { email: user.email }) };
	}),
	update: formAction(accountForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const user = await changeAccount(
			await db(),
			actorOf(locals.user!, getClientAddress()),
			form.email,
			{ role: form.role, scope: form.scope }
		);
		await closeSockets(user.endedSessions);
		return { message: t('admin.users.roleChanged', { email: user.email }) };
	}),
	disable: formAction(accountForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const disabled = form.disabled === '1';
		const user = await changeAccount(
			await db(),
			actorOf(locals.user!, getClientAddress()),
			form.email,
			{ disabled }
		);
		await closeSockets(user.endedSessions);
		return {
			message: t(disabled ? 'admin.users.disabledDone' : 'admin.users.enabledDone', {
				email: user.email
			})
		};
	}),
	password: formAction(accountForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const user = await changeAccount(
			await db(),
			actorOf(locals.user!, getClientAddress()),
			form.email,
			{ password: form.password }
		);
		await closeSockets(user.endedSessions);
		return { message: t('admin.users.passwordReset', { email: user.email }) };
	}),
	/** A lost phone or key: every factor removed, every session ended; the owner enrols again. */
	resetFactors: formAction(accountForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const { handle, bus } = await services();
		const { endedSessions } = await resetFactors(
			handle.db,
			actorOf(locals.user!, getClientAddress()),
			form.email
		);
		bus.emit('sessionsEnded', { ids: endedSessions, origin: 'local' });
		return { message: t('admin.users.factorsReset', { email: form.email }) };
	}),
	endSessions: formAction(accountForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const { handle, bus } = await services();
		const ended = await endAccountSessions(
			handle.db,
			actorOf(locals.user!, getClientAddress()),
			form.email
		);
		bus.emit('sessionsEnded', { ids: ended, origin: 'local' });
		return { message: t('admin.users.sessionsEnded', { email: form.email, count: ended.length }) };
	})
};
