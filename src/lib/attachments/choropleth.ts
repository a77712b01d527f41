/**
 * Leaflet maps as Svelte attachments: each creates its map when the element appears and removes
 * it when it goes, so a page never leaks a map. Leaflet touches `window` on import, so it is
 * imported here, in the browser only. No tile server is needed: the boundaries alone make the
 * map; `tileUrl` (MAP_TILE_URL) adds a background where one is reachable.
 * - `choropleth`: the children of a region as polygons (provinces, regencies) coloured by the
 *   page's chosen measure; children without a boundary become markers; click drills down.
 * - `pointsMap`: TPS as dots where heartbeats carried a location (below regency level).
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type {
	GeoJSON as GeoJsonLayer,
	LayerGroup,
	Map as LeafletMap,
	Path,
	CircleMarker
} from 'leaflet';
import type { RegionNumbers } from '../protocol/live';
import { escapeHtml } from '../html';
import { whenNear } from './near';

export interface MapStyle<T> {
	/** Draw at once rather than when the map comes near the viewport (the report, before printing). */
	eager?: boolean;
	colour: (item: T) => string;
	/** HTML; callers escape their text with escapeHtml. */
	tooltip: (item: T) => string;
}

export interface ChoroplethOptions extends MapStyle<RegionNumbers> {
	/** GeoJSON file with `properties.code` per feature. */
	url: string;
	/** Only features whose code is one of these children are drawn. */
	children: () => RegionNumbers[];
	tileUrl?: string | null;
	attribution: string;
	noBoundary: string;
	onSelect: (code: string) => void;
}

export interface MapHandle {
	restyle(): void;
}

type Props = { code: string; name: string };

async function baseMap(node: HTMLElement, tileUrl: string | null | undefined, attribution: string) {
	const L = (await import('leaflet')).default;
	const map = L.map(node, { zoomSnap: 0.25, attributionControl: true, scrollWheelZoom: false });
	if (tileUrl) L.tileLayer(tileUrl, { maxZoom: 18 }).addTo(map);
	map.attributionControl.addAttribution(attribution);
	return { L, map };
}

export function choropleth(
	options: ChoroplethOptions,
	expose?: (handle: MapHandle | null) => void
) {
	return (node: HTMLElement) => {
		let map: LeafletMap | null = null;
		let layer: GeoJsonLayer<Props> | null = null;
		let markers: LayerGroup | null = null;
		const markerOf = new Map<string, CircleMarker>();
		let cancelled = false;

		const restyle = () => {
			const byCode = new Map(options.children().map((c) => [c.code, c]));
			layer?.eachLayer((l) => {
				const feature = (l as unknown as { feature: Feature<Geometry, Props> }).feature;
				const r = byCode.get(feature.properties.code);
				(l as Path).setStyle({ fillColor: r ? options.colour(r) : '#d9d9d9' });
				l.setTooltipContent(r ? options.tooltip(r) : escapeHtml(feature.properties.name));
			});
			for (const [code, marker] of markerOf) {
				const r = byCode.get(code);
				if (!r) continue;
				marker.setStyle({ fillColor: options.colour(r) });
				marker.setTooltipContent(
					`${options.tooltip(r)}<br><em>${escapeHtml(options.noBoundary)}</em>`
				);
			}
		};

		const draw = async () => {
			const response = await fetch(options.url);
			const geo = (await response.json()) as FeatureCollection<Geometry, Props>;
			if (cancelled) return;
			const { L, map: created } = await baseMap(node, options.tileUrl, options.attribution);
			if (cancelled) {
				created.remove();
				return;
			}
			map = created;
			const codes = new Set(options.children().map((c) => c.code));
			const features = geo.features.filter((f) => codes.has(f.properties.code));
			layer = L.geoJSON<Props>(
				{ type: 'FeatureCollection', features } as FeatureCollection<Geometry, Props>,
				{
					style: () => ({ weight: 1, color: '#ffffff', fillOpacity: 0.85 }),
					onEachFeature: (feature, l) => {
						l.bindTooltip(escapeHtml(feature.properties.name), { sticky: true });
						l.on('click', () => options.onSelect(feature.properties.code));
					}
				}
			);
			// The view before the layer, as in pointsMap below.
			const bounds = layer.getBounds();
			if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
			else map.setView([-2.5, 118], 4);
			layer.addTo(map);
			// Regions without a boundary (3279 Kota Banjar, 3603 Kab. Tangerang) still get a marker,
			// along the bottom edge of the drawn area, so none is silently dropped.
			const drawn = new Set(features.map((f) => f.properties.code));
			const missing = options.children().filter((c) => !drawn.has(c.code));
			markers = L.layerGroup().addTo(map);
			missing.forEach((r, i) => {
				const south = bounds.isValid() ? bounds.getSouth() : -2;
				const west = bounds.isValid() ? bounds.getWest() : 118;
				const span = bounds.isValid() ? bounds.getEast() - bounds.getWest() : 10;
				const marker = L.circleMarker([south, west + ((i + 1) * span) / (missing.length + 1)], {
					radius: 7,
					weight: 2,
					color: '#333',
					fillOpacity: 0.9
				})
					.bindTooltip('')
					.on('click', () => options.onSelect(r.code))
					.addTo(markers!);
				markerOf.set(r.code, marker);
			});
			restyle();
			node.setAttribute('data-drawn', '');
			expose?.({ restyle });
		};
		const cancelStart = whenNear(node, () => void draw(), { eager: options.eager });

		return () => {
			cancelled = true;
			cancelStart();
			node.removeAttribute('data-drawn');
			expose?.(null);
			markers?.remove();
			map?.remove();
		};
	};
}

export interface PointsOptions<T extends { lat: number; lng: number }> extends MapStyle<T> {
	points: () => T[];
	tileUrl?: string | null;
	attribution: string;
	/** A boundary drawn as an outline around the points (a regency's). */
	outline?: { code: string; url: string } | null;
	onSelect?: (point: T) => void;
}

export function pointsMap<T extends { lat: number; lng: number }>(
	options: PointsOptions<T>,
	expose?: (handle: MapHandle | null) => void
) {
	return (node: HTMLElement) => {
		let map: LeafletMap | null = null;
		let cancelled = false;
		const dots: [T, CircleMarker][] = [];
		const restyle = () => {
			for (const [point, dot] of dots) {
				dot.setStyle({ fillColor: options.colour(point) });
				dot.setTooltipContent(options.tooltip(point));
			}
		};
		const draw = async () => {
			const { L, map: created } = await baseMap(node, options.tileUrl, options.attribution);
			if (cancelled) {
				created.remove();
				return;
			}
			map = created;
			let outline: GeoJsonLayer | null = null;
			if (options.outline) {
				const geo = (await (await fetch(options.outline.url)).json()) as FeatureCollection<
					Geometry,
					Props
				>;
				if (cancelled) return;
				const own = geo.features.filter((f) => f.properties.code === options.outline!.code);
				if (own.length > 0)
					outline = L.geoJSON<Props>(
						{ type: 'FeatureCollection', features: own } as FeatureCollection<Geometry, Props>,
						{ style: () => ({ weight: 2, color: '#334155', fill: false }), interactive: false }
					);
			}
			const list = options.points();
			// The view first, then the layers: a path added to a map without a view is drawn by a
			// renderer that has no bounds yet (Leaflet: "reading 'min'"), and the map stays empty.
			const bounds = L.latLngBounds(list.map((p) => [p.lat, p.lng] as [number, number]));
			const view = outline ? outline.getBounds().extend(bounds) : bounds;
			if (view.isValid()) map.fitBounds(view, { padding: [12, 12], maxZoom: 14 });
			else map.setView([-2.5, 118], 4);
			outline?.addTo(map);
			for (const point of list) {
				const dot = L.circleMarker([point.lat, point.lng], {
					radius: 6,
					weight: 1,
					color: '#1e293b',
					fillOpacity: 0.95
				})
					.bindTooltip('')
					.addTo(map);
				if (options.onSelect) dot.on('click', () => options.onSelect!(point));
				dots.push([point, dot]);
			}
			restyle();
			node.setAttribute('data-drawn', '');
			expose?.({ restyle });
		};
		const cancelStart = whenNear(node, () => void draw(), { eager: options.eager });
		return () => {
			cancelled = true;
			cancelStart();
			node.removeAttribute('data-drawn');
			expose?.(null);
			map?.remove();
		};
	};
}
