/** A region as a viewer may see it: unknown codes and codes outside the viewer's scope refused. */
import { lineage, NATION_CODE } from '../../domain/codes';
import { AppError } from '../../domain/errors';
import { canView, type Principal } from '../../domain/roles';
import type { RegionNumbers, RollupStore } from '../rollup/store';

export interface RegionView {
	region: RegionNumbers;
	children: RegionNumbers[];
	/** From the nation down to the region's parent, for the breadcrumb (what the viewer may see). */
	parents: { code: string; name: string }[];
}

/** The region's numbers for a viewer; 404 for an unknown code, 403 outside their scope. */
export function regionFor(store: RollupStore, viewer: Principal, code: string): RegionNumbers {
	const region = store.get(code);
	if (!region) throw new AppError('regionNotFound', { code });
	if (!canView(viewer, code)) throw new AppError('outsideScope', { code });
	return region;
}

/** The path above a code that the viewer may see, nation first. */
export function breadcrumb(
	store: RollupStore,
	viewer: Principal,
	code: string
): { code: string; name: string }[] {
	return (code === NATION_CODE ? [] : lineage(code).slice(0, code.length === 13 ? undefined : -1))
		.filter((p) => canView(viewer, p))
		.map((p) => ({ code: p, name: store.get(p)?.name ?? p }));
}

export function viewRegion(store: RollupStore, viewer: Principal, code: string): RegionView {
	const region = regionFor(store, viewer, code);
	return { region, children: store.children(code), parents: breadcrumb(store, viewer, code) };
}
