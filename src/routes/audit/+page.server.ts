import { desc, lt } from 'drizzle-orm';
import { AppError } from '$lib/domain/errors';
import { canReadAudit } from '$lib/domain/roles';
import { auditLog } from '$lib/server/db/schema';
import { guard } from '$lib/server/http/errors';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

const PAGE = 200;

export const load: PageServerLoad = guard(async ({ locals, url }) => {
	if (!canReadAudit(locals.user!)) throw new AppError('auditForbidden');
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
});
