import { canImport } from '$lib/domain/roles';
import { AppError } from '$lib/domain/errors';
import { z } from 'zod';
import { formAction, formText, guard } from '$lib/server/platform/http/errors';
import { MAX_IMPORT_BYTES } from '$lib/server/roster/import';
import { services } from '$lib/server/runtime';
import { actorOf } from '$lib/server/accounts/actor';
import { applyRoster, previewRoster } from '$lib/server/roster/import-verbs';
import { requireRecentProof } from '$lib/server/accounts/second-step';
import type { Actions, PageServerLoad } from './$types';

export const load: PageServerLoad = guard(({ locals }) => {
	if (!canImport(locals.user!)) throw new AppError('importForbidden');
	return { scope: locals.user!.scope, maxMb: MAX_IMPORT_BYTES / 1024 / 1024 };
});

/** The roster is a file (checked by the verb); no text field is read. */
const previewForm = z.object({});
const applyForm = z.object({ id: formText(64), validOnly: formText(3) });

export const actions: Actions = {
	preview: formAction(previewForm, async ({ locals, getClientAddress }, _form, data) => {
		const file = data.get('file');
		if (!(file instanceof File) || file.size === 0) throw new AppError('importNoFile');
		const running = await services();
		const { id, preview } = await previewRoster(
			{ db: running.handle.db },
			actorOf(locals.user!, getClientAddress()),
			file.name,
			new Uint8Array(await file.arrayBuffer())
		);
		return {
			name: file.name,
			id,
			rows: preview.rows,
			changes: preview.changes.length,
			targets: preview.targets,
			people: preview.people,
			unchanged: preview.unchanged,
			// Rows with at least one problem, and the problems (a row may have several).
			errorRows: new Set(preview.errors.map((e) => e.row)).size,
			errorCount: preview.errors.length,
			errors: preview.errors.slice(0, 200),
			sample: preview.changes.slice(0, 20)
		};
	}),
	apply: formAction(applyForm, async ({ locals, getClientAddress }, form, _data, t) => {
		requireRecentProof(locals.session);
		const running = await services();
		const { name, applied } = await applyRoster(
			{ db: running.handle.db, bus: running.bus },
			actorOf(locals.user!, getClientAddress()),
			form.id,
			form.validOnly === 'on' || form.validOnly === '1'
		);
		return { applied, message: t('admin.import.applied', { count: applied, name }) };
	})
};
