import { error, fail } from '@sveltejs/kit';
import { canManageUser, canManageUsers, ROLES, type Role } from '$lib/domain/roles';
import {
	createUser,
	findUserByEmail,
	listUsers,
	updateUser,
	UserError
} from '$lib/server/auth/users';
import { requestTranslator, type Translate } from '$lib/i18n';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

function manager(event: { locals: App.Locals; cookies: RequestEvent['cookies'] }) {
	const user = event.locals.user!;
	if (!canManageUsers(user))
		error(403, requestTranslator(event.cookies)('admin.users.forbiddenPage'));
	return user;
}

export const load: PageServerLoad = async (event) => {
	const me = manager(event);
	const { handle } = await services();
	const all = await listUsers(handle.db);
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
				manageable: canManageUser(me, u) && u.id !== me.id
			}))
	};
};

/** Runs a change for a manager, refusing targets (before and after) outside their reach. */
async function change(
	event: RequestEvent,
	run: (
		form: FormData,
		by: { userId: number; actor: string; ip: string },
		t: Translate
	) => Promise<string>
) {
	const me = manager(event);
	const t = requestTranslator(event.cookies);
	const form = await event.request.formData();
	const { handle } = await services();
	const email = String(form.get('email') ?? '');
	const target = email ? await findUserByEmail(handle.db, email) : null;
	if (target && (!canManageUser(me, target) || target.id === me.id)) {
		return fail(403, { message: t('admin.users.forbiddenAccount', { email }) });
	}
	const role = form.get('role');
	const scope = form.get('scope');
	if (
		role !== null &&
		scope !== null &&
		!canManageUser(me, { role: String(role) as Role, scope: String(scope) })
	) {
		return fail(403, { message: t('admin.users.forbiddenRole') });
	}
	try {
		const message = await run(
			form,
			{ userId: me.id, actor: me.email, ip: event.getClientAddress() },
			t
		);
		return { message };
	} catch (caught) {
		if (caught instanceof UserError)
			return fail(400, { message: t(`accountError.${caught.problem}`, caught.values), email });
		throw caught;
	}
}

export const actions: Actions = {
	create: (event) =>
		change(event, async (form, by, t) => {
			const { handle } = await services();
			const user = await createUser(
				handle.db,
				{
					email: String(form.get('email') ?? ''),
					name: String(form.get('name') ?? ''),
					password: String(form.get('password') ?? ''),
					role: String(form.get('role') ?? ''),
					scope: String(form.get('scope') ?? '').trim()
				},
				by
			);
			return t('admin.users.created', { email: user.email });
		}),
	update: (event) =>
		change(event, async (form, by, t) => {
			const { handle } = await services();
			const user = await updateUser(
				handle.db,
				String(form.get('email')),
				{ role: String(form.get('role')), scope: String(form.get('scope')).trim() },
				by
			);
			return t('admin.users.roleChanged', { email: user.email });
		}),
	disable: (event) =>
		change(event, async (form, by, t) => {
			const { handle } = await services();
			const disabled = form.get('disabled') === '1';
			const user = await updateUser(handle.db, String(form.get('email')), { disabled }, by);
			return t(disabled ? 'admin.users.disabledDone' : 'admin.users.enabledDone', {
				email: user.email
			});
		}),
	password: (event) =>
		change(event, async (form, by, t) => {
			const { handle } = await services();
			const user = await updateUser(
				handle.db,
				String(form.get('email')),
				{ password: String(form.get('password') ?? '') },
				by
			);
			return t('admin.users.passwordReset', { email: user.email });
		})
};
