/** A region as a viewer may see it: 404 for an unknown code, 403 outside the viewer's scope. */
import { error } from '@sveltejs/kit';
import { lineage, NATION_CODE } from '../domain/codes';
import { canView, type Principal } from '../domain/roles';
import type { RegionNumbers, RollupStore } from './rollup/store';

export interface RegionView {
	region: RegionNumbers;
	children: RegionNumbers[];
	/** From the nation down to the region's parent, for the breadcrumb. */
	parents: { code: string; name: string }[];
}

export function viewRegion(store: RollupStore, viewer: Principal, code: string): RegionView {
	const region = store.get(code);
	if (!region) error(404, `Wilayah ${code} tidak ditemukan`);
	if (!canView(viewer, code)) error(403, `Wilayah ${code} di luar wilayah tugas Anda`);
	const parents = (code === NATION_CODE ? [] : lineage(code).slice(0, -1))
		.filter((p) => canView(viewer, p))
		.map((p) => ({ code: p, name: store.get(p)?.name ?? p }));
	return { region, children: store.children(code), parents };
}
