import { error, fail } from '@sveltejs/kit';
import { canManageUser, canManageUsers, ROLES, ROLE_LABELS, type Role } from '$lib/domain/roles';
import {
	createUser,
	findUserByEmail,
	listUsers,
	updateUser,
	UserError
} from '$lib/server/auth/users';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

function manager(locals: App.Locals) {
	const user = locals.user!;
	if (!canManageUsers(user))
		error(403, 'Hanya admin dan pimpinan KPU provinsi yang mengelola pengguna');
	return user;
}

export const load: PageServerLoad = async ({ locals }) => {
	const me = manager(locals);
	const { handle } = await services();
	const all = await listUsers(handle.db);
	return {
		roles: ROLES.filter((role) =>
			canManageUser(me, { role, scope: role === 'admin' ? 'id' : me.scope })
		).map((role) => ({ role, label: ROLE_LABELS[role] })),
		users: all
			.filter((u) => canManageUser(me, u) || u.id === me.id)
			.map((u) => ({
				email: u.email,
				name: u.name,
				role: u.role,
				roleLabel: ROLE_LABELS[u.role],
				scope: u.scope,
				disabled: u.disabledAt !== null,
				manageable: canManageUser(me, u) && u.id !== me.id
			}))
	};
};

/** Runs a change for a manager, refusing targets (before and after) outside their reach. */
async function change(
	event: RequestEvent,
	run: (form: FormData, by: { userId: number; actor: string; ip: string }) => Promise<string>
) {
	const me = manager(event.locals);
	const form = await event.request.formData();
	const { handle } = await services();
	const email = String(form.get('email') ?? '');
	const target = email ? await findUserByEmail(handle.db, email) : null;
	if (target && (!canManageUser(me, target) || target.id === me.id)) {
		return fail(403, { message: `Anda tidak berwenang mengubah akun ${email}` });
	}
	const role = form.get('role');
	const scope = form.get('scope');
	if (
		role !== null &&
		scope !== null &&
		!canManageUser(me, { role: String(role) as Role, scope: String(scope) })
	) {
		return fail(403, { message: 'Peran atau wilayah itu di luar wewenang Anda' });
	}
	try {
		const message = await run(form, {
			userId: me.id,
			actor: me.email,
			ip: event.getClientAddress()
		});
		return { message };
	} catch (caught) {
		if (caught instanceof UserError) return fail(400, { message: caught.message, email });
		throw caught;
	}
}

export const actions: Actions = {
	create: (event) =>
		change(event, async (form, by) => {
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
			return `Akun ${user.email} dibuat`;
		}),
	update: (event) =>
		change(event, async (form, by) => {
			const { handle } = await services();
			const user = await updateUser(
				handle.db,
				String(form.get('email')),
				{ role: String(form.get('role')), scope: String(form.get('scope')).trim() },
				by
			);
			return `Peran ${user.email} diubah`;
		}),
	disable: (event) =>
		change(event, async (form, by) => {
			const { handle } = await services();
			const disabled = form.get('disabled') === '1';
			const user = await updateUser(handle.db, String(form.get('email')), { disabled }, by);
			return disabled ? `Akun ${user.email} dinonaktifkan` : `Akun ${user.email} diaktifkan`;
		}),
	password: (event) =>
		change(event, async (form, by) => {
			const { handle } = await services();
			const user = await updateUser(
				handle.db,
				String(form.get('email')),
				{ password: String(form.get('password') ?? '') },
				by
			);
			return `Kata sandi ${user.email} diatur ulang`;
		})
};
