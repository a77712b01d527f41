/**
 * What the read-side of the server (the region page, the report, the Pantarlih list, the API)
 * needs from the running services, and no more: the database, the roll-ups, the activity index,
 * the clock and the plan. Tests build one from real small objects.
 */
import type { ActivityIndex } from '../../domain/activity';
import type { Plan } from '../history/campaign';
import type { Database } from '../platform/db/client';
import type { RollupStore } from '../rollup/store';

export interface ViewDeps {
	db: Database;
	store: RollupStore;
	activity: ActivityIndex;
	/** "Now" on the coklit clock (the demo's compressed one, or real time). */
	now: () => number;
	plan: () => Plan;
	/** Open alerts inside a region; counted in the database each time when absent. */
	openAlerts?: (code: string) => Promise<number>;
}
