import { error, fail } from '@sveltejs/kit';
import { canChangeAnything } from '$lib/domain/roles';
import { audit } from '$lib/server/auth/audit';
import {
	ImportError,
	MAX_IMPORT_BYTES,
	applyImport,
	holdImport,
	previewImport,
	readRosterFile,
	takeImport
} from '$lib/server/import';
import { requestTranslator } from '$lib/i18n';
import { services } from '$lib/server/runtime';
import type { Actions, PageServerLoad, RequestEvent } from './$types';

function importer(event: { locals: App.Locals; cookies: RequestEvent['cookies'] }) {
	const user = event.locals.user!;
	if (!canChangeAnything(user))
		error(403, requestTranslator(event.cookies)('admin.import.forbidden'));
	return user;
}

export const load: PageServerLoad = (event) => {
	const user = importer(event);
	return { scope: user.scope, maxMb: MAX_IMPORT_BYTES / 1024 / 1024 };
};

export const actions: Actions = {
	preview: async (event) => {
		const user = importer(event);
		const t = requestTranslator(event.cookies);
		const form = await event.request.formData().catch(() => null);
		if (!form) return fail(400, { message: t('admin.import.unreadable') });
		const file = form.get('file');
		if (!(file instanceof File) || file.size === 0)
			return fail(400, { message: t('admin.import.noFile') });
		const { handle } = await services();
		try {
			const table = await readRosterFile(file.name, new Uint8Array(await file.arrayBuffer()));
			const preview = await previewImport(handle.db, table, user.scope);
			return {
				name: file.name,
				id: holdImport(user.id, file.name, preview),
				rows: preview.rows,
				changes: preview.changes.length,
				targets: preview.targets,
				people: preview.people,
				unchanged: preview.unchanged,
				errorCount: preview.errors.length,
				errors: preview.errors.slice(0, 200),
				sample: preview.changes.slice(0, 20)
			};
		} catch (caught) {
			if (caught instanceof ImportError)
				return fail(400, { message: `${file.name}: ${caught.message}` });
			throw caught;
		}
	},
	apply: async (event) => {
		const user = importer(event);
		const t = requestTranslator(event.cookies);
		const form = await event.request.formData();
		const held = takeImport(String(form.get('id') ?? ''), user.id);
		if (!held) return fail(410, { message: t('admin.import.expired') });
		const validOnly = form.get('validOnly') === 'on';
		if (held.preview.errors.length > 0 && !validOnly)
			return fail(400, { message: t('admin.import.stillErrors') });
		const running = await services();
		const deltas = await applyImport(running.handle.db, held.preview.changes);
		await running.rosterChanged(held.preview.changes, deltas);
		await audit(running.handle.db, {
			userId: user.id,
			actor: user.email,
			action: 'import.roster',
			subject: held.name,
			after: {
				changes: held.preview.changes.length,
				targets: held.preview.targets,
				people: held.preview.people,
				errors: held.preview.errors.length,
				validOnly
			}
		});
		return {
			applied: held.preview.changes.length,
			message: t('admin.import.applied', { count: held.preview.changes.length, name: held.name })
		};
	}
};
