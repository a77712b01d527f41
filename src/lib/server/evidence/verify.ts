/**
 * `evidence:verify`: recomputes a frozen day's digests from the heartbeat log and compares them,
 * region by region, with what was frozen that night. A row changed since (by anyone with the
 * database's superuser) shows as "different" in its village and in every region above it.
 */
import { NATION_CODE, isWithin } from '../../domain/codes';
import type { Database } from '../platform/db/client';
import { dayDigests, nationDigest, type DayDigest } from './day';
import { snapshotsOn } from '../history/snapshots';

export interface Verdict {
	code: string;
	stored: DayDigest | null;
	now: DayDigest;
	equal: boolean;
}

export async function verifyDay(
	db: Database,
	provinces: readonly string[],
	date: string,
	region = NATION_CODE
): Promise<Verdict[]> {
	const recomputed = new Map<string, DayDigest>();
	const inScope = provinces.filter((p) => isWithin(p, region) || isWithin(region, p));
	for (const province of inScope) {
		const scope = region !== NATION_CODE && region.startsWith(province) ? region : province;
		for (const [code, d] of await dayDigests(db, scope, date)) recomputed.set(code, d);
	}
	if (region === NATION_CODE)
		recomputed.set(
			NATION_CODE,
			nationDigest(
				new Map(provinces.map((p) => [p, recomputed.get(p) ?? { heartbeats: 0, digest: null }]))
			)
		);
	const stored = await snapshotsOn(db, [...new Set([region, ...recomputed.keys()])], date);
	// Regions frozen with heartbeats that no longer have any are compared too.
	const codes = new Set([
		...recomputed.keys(),
		...[...stored.keys()].filter((c) => (stored.get(c)?.heartbeats ?? 0) > 0)
	]);
	codes.add(region);
	return [...codes]
		.filter((code) => isWithin(code, region))
		.sort()
		.map((code) => {
			const s = stored.get(code);
			const was =
				s && s.heartbeats !== null ? { heartbeats: s.heartbeats, digest: s.digest } : null;
			const now = recomputed.get(code) ?? { heartbeats: 0, digest: null };
			return {
				code,
				stored: was,
				now,
				equal: was !== null && was.digest === now.digest && was.heartbeats === now.heartbeats
			};
		});
}
