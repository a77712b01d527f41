/**
 * `npx tsx src/lib/server/geography/data/split-boundaries.ts`: splits the national regency boundaries into
 * one file per province (`static/geo/regencies/<province>.geo.json`), so a province's map loads
 * its own regencies (Jawa Timur: 38 of 514) instead of the whole country's. Run again after
 * replacing the national file; the output is committed. Features keep their properties and order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const source = process.argv[2] ?? path.join(root, '../shared/data/geo/regencies-2024.geojson');
const target = path.join(root, 'static/geo/regencies');

interface Collection {
	type: 'FeatureCollection';
	features: { properties: { code: string } }[];
}

const national = JSON.parse(readFileSync(source, 'utf8')) as Collection;
const byProvince = new Map<string, Collection['features']>();
for (const feature of national.features) {
	const province = feature.properties.code.slice(0, 2);
	if (!byProvince.has(province)) byProvince.set(province, []);
	byProvince.get(province)!.push(feature);
}
mkdirSync(target, { recursive: true });
for (const [province, features] of [...byProvince].sort()) {
	writeFileSync(
		path.join(target, `${province}.geo.json`),
		JSON.stringify({ type: 'FeatureCollection', features })
	);
}
console.log(
	`${national.features.length} regencies in ${byProvince.size} province files under ${path.relative(root, target)}`
);
