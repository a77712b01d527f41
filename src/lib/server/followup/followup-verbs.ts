/** A coordinator's follow-up of a Pantarlih: a note and/or "contacted", kept with time and author. */
import { isTpsCode, isWithin } from '../../domain/codes';
import { AppError, ensure } from '../../domain/errors';
import { canWriteNotes } from '../../domain/roles';
import { audit } from '../audit/record';
import type { Database } from '../platform/db/client';
import { followups } from '../platform/db/schema';
import type { Actor } from '../accounts/actor';

export const MAX_NOTE = 500;

export interface FollowupInput {
	/** The region whose list the note was written from: the TPS must lie in it. */
	region: string;
	tps: string;
	note: string;
	contacted: boolean;
}

export async function addFollowup(
	deps: { db: Database; now: () => number },
	actor: Actor,
	input: FollowupInput
): Promise<{ tps: string; contacted: boolean }> {
	if (!isTpsCode(input.tps) || !isWithin(input.tps, input.region))
		throw new AppError('tpsNotInRegion', { tps: input.tps });
	ensure(canWriteNotes(actor, input.tps), 'notesForbidden');
	const note = input.note.trim();
	if (note.length > MAX_NOTE) throw new AppError('noteTooLong', { max: MAX_NOTE });
	if (!note && !input.contacted) throw new AppError('followupEmpty');
	const at = new Date(deps.now());
	await deps.db.transaction(async (tx) => {
		await tx.insert(followups).values({
			tpsCode: input.tps,
			userId: actor.userId ?? 0,
			author: actor.name ?? actor.email,
			note,
			contacted: input.contacted,
			at
		});
		await audit(tx, actor, {
			action: 'pantarlih.followup',
			subject: input.tps,
			region: input.tps,
			after: { note, contacted: input.contacted }
		});
	});
	return { tps: input.tps, contacted: input.contacted };
}
