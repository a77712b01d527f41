import { and, desc, lt, sql } from 'drizzle-orm';
import { fieldChanges } from '$lib/domain/audit';
import { NATION_CODE } from '$lib/domain/codes';
import { AppError } from '$lib/domain/errors';
import { canReadAudit } from '$lib/domain/roles';
import { auditLog } from '$lib/server/platform/db/schema';
import { withinRegion } from '$lib/server/platform/db/sql';
import { guard } from '$lib/server/platform/http/errors';
import { services } from '$lib/server/runtime';
import type { PageServerLoad } from './$types';

const PAGE = 100;

export const load: PageServerLoad = guard(async ({ locals, url }) => {
	const viewer = locals.user!;
	if (!canReadAudit(viewer)) throw new AppError('auditForbidden');
	const { handle } = await services();
	const given = url.searchParams.get('sebelum');
	if (given !== null && !/^\d{1,15}$/.test(given))
		throw new AppError('badFilter', { name: 'sebelum', value: given.slice(0, 40) });
	const before = given === null ? null : Number(given);
	// A reader sees the entries filed under their own scope: the nation's reader every entry
	// (also those from before entries carried a region), a province's reader that province's.
	const inScope =
		viewer.scope === NATION_CODE
			? undefined
			: sql`${auditLog.regionCode} is not null and ${withinRegion(sql`${auditLog.regionCode}`, viewer.scope)}`;
	const entries = await handle.db
		.select()
		.from(auditLog)
		.where(and(before ? lt(auditLog.id, before) : undefined, inScope))
		.orderBy(desc(auditLog.id))
		.limit(PAGE);
	return {
		scope: viewer.scope,
		entries: entries.map((e) => ({
			id: e.id,
			at: e.at.getTime(),
			actor: e.actor,
			action: e.action,
			subject: e.subject,
			region: e.regionCode,
			changes: fieldChanges(e.before ?? null, e.after ?? null),
			ip: e.ip
		})),
		next: entries.length === PAGE ? entries.at(-1)!.id : null
	};
});
