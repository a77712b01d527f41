/**
 * Freezing a day on demand (the command line): the rows, a correction when one is asked for, and
 * the audit entry saying who froze or corrected what, in one transaction. The nightly freeze is
 * the server's own (snapshots.ts freezeEndedDays) and needs no actor.
 */
import { NATION_CODE } from '../../domain/codes';
import { ensure } from '../../domain/errors';
import type { Zone } from '../../domain/calendar';
import { canEditCampaign } from '../../domain/roles';
import { audit } from '../audit/record';
import type { Database } from '../platform/db/client';
import { freezeContextFrom, freezeDay } from './snapshots';
import type { Actor } from '../accounts/actor';

export async function freezeOnDemand(
	db: Database,
	actor: Actor,
	zones: readonly Zone[],
	date: string,
	correction?: string
): Promise<{ zone: string; written: number }[]> {
	ensure(canEditCampaign(actor), 'campaignForbidden');
	// Fresh numbers from the TPS table: the same totals the live roll-ups hold.
	const ctx = await freezeContextFrom(db);
	return db.transaction(async (tx) => {
		const done: { zone: string; written: number }[] = [];
		for (const zone of zones)
			done.push({
				zone: zone.name,
				written: await freezeDay({ ...ctx, db: tx }, zone, date, correction)
			});
		await audit(tx, actor, {
			action: correction === undefined ? 'snapshot.freeze' : 'snapshot.correct',
			subject: `${zones.map((z) => z.name).join(',')} ${date}`,
			region: NATION_CODE,
			after: { rows: done, reason: correction ?? null }
		});
		return done;
	});
}
