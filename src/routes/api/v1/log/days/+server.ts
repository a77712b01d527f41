// GET /api/v1/log/days?date=YYYY-MM-DD: the signed notes binding that day's frozen digests (one per
// zone) to the log's tree. Public: sizes and hashes only.
import { json } from '@sveltejs/kit';
import { isLocalDate } from '$lib/domain/calendar';
import { AppError } from '$lib/domain/errors';
import { guard } from '$lib/server/platform/http/errors';
import { dayNotes } from '$lib/server/evidence/checkpoints';
import { services } from '$lib/server/runtime';
import type { RequestHandler } from './$types';

export const GET: RequestHandler = guard(async ({ url }) => {
	const date = url.searchParams.get('date') ?? '';
	if (!isLocalDate(date)) throw new AppError('badDate', { given: date.slice(0, 20) });
	const { views } = await services();
	return json({ notes: await dayNotes(views.db, date) });
});
