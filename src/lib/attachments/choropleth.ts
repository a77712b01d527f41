/**
 * A Leaflet choropleth as a Svelte attachment: creates the map when the element appears and
 * removes it when it goes, so a page never leaks a map. Leaflet touches `window` on import, so it
 * is imported here, in the browser only. No tile server is needed: the boundaries alone make the
 * map; `tileUrl` adds a background where one is reachable.
 */
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeoJSON as GeoJsonLayer, LayerGroup, Map as LeafletMap, Path } from 'leaflet';
import { coverageColour } from '../domain/colour-scale';
import { formatNumber, formatPercent } from '../format';
import type { RegionNumbers } from '../realtime/events';

export interface ChoroplethOptions {
	/** GeoJSON file with `properties.code` per feature. */
	url: string;
	/** Only features whose code is one of these children are drawn. */
	children: () => RegionNumbers[];
	tileUrl?: string | null;
	onSelect: (code: string) => void;
}

export interface ChoroplethHandle {
	restyle(): void;
}

type Props = { code: string; name: string };

export function choropleth(
	options: ChoroplethOptions,
	expose?: (handle: ChoroplethHandle | null) => void
) {
	return (node: HTMLElement) => {
		let map: LeafletMap | null = null;
		let layer: GeoJsonLayer<Props> | null = null;
		let markers: LayerGroup | null = null;
		let cancelled = false;

		const numbers = () => new Map(options.children().map((c) => [c.code, c]));
		const tooltip = (r: RegionNumbers | undefined, name: string) =>
			r
				? `<strong>${escapeHtml(r.name)}</strong><br>Cakupan ${formatPercent(r.verified, r.target)}<br>${formatNumber(r.verified)} / ${formatNumber(r.target)} pemilih`
				: escapeHtml(name);

		const restyle = () => {
			const byCode = numbers();
			layer?.eachLayer((l) => {
				const feature = (l as unknown as { feature: Feature<Geometry, Props> }).feature;
				const r = byCode.get(feature.properties.code);
				(l as Path).setStyle({ fillColor: r ? coverageColour(r.verified, r.target) : '#d9d9d9' });
				l.setTooltipContent(tooltip(r, feature.properties.name));
			});
		};

		(async () => {
			const L = (await import('leaflet')).default;
			const response = await fetch(options.url);
			const geo = (await response.json()) as FeatureCollection<Geometry, Props>;
			if (cancelled) return;
			const codes = new Set(options.children().map((c) => c.code));
			const features = geo.features.filter((f) => codes.has(f.properties.code));
			map = L.map(node, { zoomSnap: 0.25, attributionControl: true, scrollWheelZoom: false });
			if (options.tileUrl) L.tileLayer(options.tileUrl, { maxZoom: 18 }).addTo(map);
			map.attributionControl.addAttribution(
				'Batas wilayah: Laravel Nusa (MIT); data: KPU via KawalPemilu 2024'
			);
			layer = L.geoJSON<Props>(
				{ type: 'FeatureCollection', features } as FeatureCollection<Geometry, Props>,
				{
					style: () => ({ weight: 1, color: '#ffffff', fillOpacity: 0.85 }),
					onEachFeature: (feature, l) => {
						l.bindTooltip(feature.properties.name, { sticky: true });
						l.on('click', () => options.onSelect(feature.properties.code));
					}
				}
			).addTo(map);
			const bounds = layer.getBounds();
			if (bounds.isValid()) map.fitBounds(bounds, { padding: [8, 8] });
			// Regions without a boundary (3279 Kota Banjar, 3603 Kab. Tangerang) still get a marker,
			// along the bottom edge of the drawn area, so none is silently dropped.
			const drawn = new Set(features.map((f) => f.properties.code));
			const missing = options.children().filter((c) => !drawn.has(c.code));
			markers = L.layerGroup().addTo(map);
			missing.forEach((r, i) => {
				const south = bounds.isValid() ? bounds.getSouth() : -2;
				const west = bounds.isValid() ? bounds.getWest() : 118;
				const span = bounds.isValid() ? bounds.getEast() - bounds.getWest() : 10;
				L.circleMarker([south, west + ((i + 1) * span) / (missing.length + 1)], {
					radius: 7,
					weight: 2,
					color: '#333',
					fillColor: coverageColour(r.verified, r.target),
					fillOpacity: 0.9
				})
					.bindTooltip(`${tooltip(r, r.name)}<br><em>tanpa batas wilayah</em>`)
					.on('click', () => options.onSelect(r.code))
					.addTo(markers!);
			});
			restyle();
			expose?.({ restyle });
		})();

		return () => {
			cancelled = true;
			expose?.(null);
			markers?.remove();
			map?.remove();
		};
	};
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
