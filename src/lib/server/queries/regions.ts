import { asc, eq } from 'drizzle-orm';
import type { RegionLevel } from '../../domain/codes';
import type { Database } from '../db/client';
import { regionProgress, regions } from '../db/schema';

/** A region with its roll-up, the shape shared by pages, the API and live updates. */
export interface RegionSnapshot {
	code: string;
	level: RegionLevel;
	name: string;
	verified: number;
	target: number;
	tps: number;
	tpsSynced: number;
	tpsComplete: number;
	version: number;
}

const snapshotColumns = {
	code: regions.code,
	level: regions.level,
	name: regions.name,
	verified: regionProgress.verified,
	target: regionProgress.target,
	tps: regionProgress.tps,
	tpsSynced: regionProgress.tpsSynced,
	tpsComplete: regionProgress.tpsComplete,
	version: regionProgress.version
};

type Row = { [K in keyof RegionSnapshot]: RegionSnapshot[K] | null } & {
	code: string;
	name: string;
	level: RegionLevel;
};

function toSnapshot(row: Row): RegionSnapshot {
	return {
		code: row.code,
		level: row.level,
		name: row.name,
		verified: row.verified ?? 0,
		target: row.target ?? 0,
		tps: row.tps ?? 0,
		tpsSynced: row.tpsSynced ?? 0,
		tpsComplete: row.tpsComplete ?? 0,
		version: row.version ?? 0
	};
}

/** A region and its direct children (by code), or null for an unknown code. */
export async function regionWithChildren(
	db: Database,
	code: string
): Promise<{ region: RegionSnapshot; children: RegionSnapshot[] } | null> {
	const [region] = await db
		.select(snapshotColumns)
		.from(regions)
		.leftJoin(regionProgress, eq(regionProgress.code, regions.code))
		.where(eq(regions.code, code));
	if (!region) return null;
	const children = await db
		.select(snapshotColumns)
		.from(regions)
		.leftJoin(regionProgress, eq(regionProgress.code, regions.code))
		.where(eq(regions.parentCode, code))
		.orderBy(asc(regions.code));
	return { region: toSnapshot(region), children: children.map(toSnapshot) };
}
