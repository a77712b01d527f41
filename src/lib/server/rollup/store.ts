/**
 * The live roll-up of every region (nation down to village), held in memory: loaded from a full
 * recount of the TPS table at start-up, then moved by the deltas of each committed batch
 * (domain/coverage.ts `rollUp`). Pages, the API and live push read it; `region_progress` in the
 * database is a checkpoint written every few seconds for SQL consumers and backups.
 */
import { sql } from 'drizzle-orm';
import type { RegionDelta } from '../../domain/coverage';
import type { RegionLevel } from '../../domain/codes';
import type { RegionNumbers } from '../../protocol/live';
import type { Database } from '../platform/db/client';
import { regions } from '../platform/db/schema';
import type { EventBus } from '../platform/events';
import { describe, logger } from '../platform/log';
import { recountRegions } from './recount';

export type { RegionNumbers };

interface RegionInfo {
	code: string;
	level: RegionLevel;
	name: string;
	parentCode: string | null;
	children: string[];
}

export class RollupStore {
	private info = new Map<string, RegionInfo>();
	private totals = new Map<string, RegionNumbers>();
	private dirty = new Set<string>();

	/** Reads the regions and recounts every total; versions continue where they were. */
	async load(db: Database): Promise<void> {
		const list = await db
			.select({
				code: regions.code,
				level: regions.level,
				name: regions.name,
				parentCode: regions.parentCode
			})
			.from(regions)
			.orderBy(regions.code);
		const counts = new Map((await recountRegions(db)).map((c) => [c.code, c]));
		const info = new Map<string, RegionInfo>();
		for (const region of list) info.set(region.code, { ...region, children: [] });
		for (const region of info.values()) {
			if (region.parentCode) info.get(region.parentCode)?.children.push(region.code);
		}
		const totals = new Map<string, RegionNumbers>();
		for (const region of info.values()) {
			const count = counts.get(region.code);
			const previous = this.totals.get(region.code);
			const next: RegionNumbers = {
				code: region.code,
				level: region.level,
				name: region.name,
				verified: count?.verified ?? 0,
				target: count?.target ?? 0,
				tps: count?.tps ?? 0,
				tpsSynced: count?.tpsSynced ?? 0,
				tpsComplete: count?.tpsComplete ?? 0,
				version: previous?.version ?? 1
			};
			if (previous && !sameNumbers(previous, next)) next.version += 1;
			totals.set(region.code, next);
		}
		this.info = info;
		this.totals = totals;
		for (const code of totals.keys()) this.dirty.add(code);
	}

	/**
	 * Follows the event bus: every commit's and import's deltas (local or from another process)
	 * move the totals, and the regions that moved are announced (`regions`); a lost message from
	 * another process (`missed`) recounts everything from the TPS table.
	 */
	listen(bus: EventBus, db: Database, log: (line: string) => void): void {
		bus.on('commit', (e) => bus.emit('regions', this.apply(e.deltas)));
		bus.on('roster', (e) => bus.emit('regions', this.apply(e.deltas)));
		let recounting = false;
		bus.on('missed', () => {
			if (recounting) return;
			recounting = true;
			log('[rollup] missed updates from another process: recounting');
			this.load(db)
				.catch((error) => logger().error(`[rollup] recount failed: ${describe(error)}`))
				.finally(() => (recounting = false));
		});
	}

	/** Adds a committed batch's deltas; returns the regions that changed, with their new totals. */
	apply(deltas: Map<string, RegionDelta>): RegionNumbers[] {
		const changed: RegionNumbers[] = [];
		for (const [code, delta] of deltas) {
			const current = this.totals.get(code);
			if (!current) continue;
			const next = {
				...current,
				verified: current.verified + delta.verified,
				target: current.target + delta.target,
				tpsSynced: current.tpsSynced + delta.tpsSynced,
				tpsComplete: current.tpsComplete + delta.tpsComplete,
				version: current.version + 1
			};
			this.totals.set(code, next);
			this.dirty.add(code);
			changed.push(next);
		}
		return changed;
	}

	get(code: string): RegionNumbers | null {
		return this.totals.get(code) ?? null;
	}

	children(code: string): RegionNumbers[] {
		return (this.info.get(code)?.children ?? []).map((child) => this.totals.get(child)!);
	}

	get size(): number {
		return this.totals.size;
	}

	/** Every region's snapshot, for checks against a recount. */
	all(): RegionNumbers[] {
		return [...this.totals.values()];
	}

	/** Writes the regions changed since the last checkpoint into `region_progress`. */
	async checkpoint(db: Database): Promise<number> {
		if (this.dirty.size === 0) return 0;
		const codes = [...this.dirty];
		this.dirty = new Set();
		const rowsToWrite = codes.map((code) => this.totals.get(code)!).filter(Boolean);
		try {
			for (let i = 0; i < rowsToWrite.length; i += 10_000) {
				const chunk = rowsToWrite.slice(i, i + 10_000).map((r) => ({
					code: r.code,
					tps: r.tps,
					target: r.target,
					verified: r.verified,
					synced: r.tpsSynced,
					complete: r.tpsComplete,
					version: r.version
				}));
				await db.execute(sql`
					insert into region_progress as p (code, tps, target, verified, tps_synced, tps_complete, version)
					select code, tps, target, verified, synced, complete, version
					from json_to_recordset(${JSON.stringify(chunk)}::json) as x(code text, tps int,
						target bigint, verified bigint, synced int, complete int, version bigint)
					on conflict (code) do update set tps = excluded.tps, target = excluded.target,
						verified = excluded.verified, tps_synced = excluded.tps_synced,
						tps_complete = excluded.tps_complete, version = excluded.version`);
			}
		} catch (error) {
			for (const code of codes) this.dirty.add(code);
			throw error;
		}
		return rowsToWrite.length;
	}
}

function sameNumbers(a: RegionNumbers, b: RegionNumbers): boolean {
	return (
		a.verified === b.verified &&
		a.target === b.target &&
		a.tps === b.tps &&
		a.tpsSynced === b.tpsSynced &&
		a.tpsComplete === b.tpsComplete
	);
}
