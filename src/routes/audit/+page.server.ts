import { error } from '@sveltejs/kit';
import { desc, lt } from 'drizzle-orm';
import { canReadAudit } from '$lib/domain/roles';
import { auditLog } from '$lib/server/db/schema';
import { requestTranslator } from '$lib/i18n';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

const PAGE = 200;

export const load: PageServerLoad = async ({ locals, url, cookies }) => {
	if (!canReadAudit(locals.user!)) error(403, requestTranslator(cookies)('admin.audit.forbidden'));
	const { handle } = await services();
	const before = Number(url.searchParams.get('sebelum')) || null;
	const entries = await handle.db
		.select()
		.from(auditLog)
		.where(before ? lt(auditLog.id, before) : undefined)
		.orderBy(desc(auditLog.id))
		.limit(PAGE);
	return {
		entries: entries.map((e) => ({
			id: e.id,
			at: e.at.toISOString(),
			actor: e.actor,
			action: e.action,
			subject: e.subject,
			change: e.before || e.after ? JSON.stringify({ before: e.before, after: e.after }) : '',
			ip: e.ip
		})),
		next: entries.length === PAGE ? entries.at(-1)!.id : null
	};
};
