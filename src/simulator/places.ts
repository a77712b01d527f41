/** Regency centres (middle of each boundary's bounding box), for phones that report a location. */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One boundary file per province (src/lib/server/geography/data/split-boundaries.ts). */
const GEOJSON = path.resolve(
	path.dirname(fileURLToPath(import.meta.url)),
	'../../static/geo/regencies'
);

interface Feature {
	properties: { code: string };
	geometry: { coordinates: unknown };
}

export function regencyCentres(folder = GEOJSON): Map<string, { lat: number; lng: number }> {
	const features = readdirSync(folder)
		.filter((name) => name.endsWith('.geo.json'))
		.flatMap(
			(name) =>
				(JSON.parse(readFileSync(path.join(folder, name), 'utf8')) as { features: Feature[] })
					.features
		);
	const centres = new Map<string, { lat: number; lng: number }>();
	for (const feature of features) {
		let west = Infinity;
		let east = -Infinity;
		let south = Infinity;
		let north = -Infinity;
		const visit = (node: unknown): void => {
			if (Array.isArray(node) && typeof node[0] === 'number') {
				const [lng, lat] = node as number[];
				west = Math.min(west, lng);
				east = Math.max(east, lng);
				south = Math.min(south, lat);
				north = Math.max(north, lat);
			} else if (Array.isArray(node)) node.forEach(visit);
		};
		visit(feature.geometry.coordinates);
		centres.set(feature.properties.code, { lat: (south + north) / 2, lng: (west + east) / 2 });
	}
	return centres;
}
