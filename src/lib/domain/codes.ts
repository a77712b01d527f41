/**
 * Region and TPS codes (KPU/Kemendagri): a child's code starts with its parent's code.
 * `id` is the nation, 2 digits a province, 4 a regency (kabupaten/kota), 6 a district
 * (kecamatan), 10 a village (desa/kelurahan); a TPS is its village code + a 3-digit number.
 */

export const NATION_CODE = 'id';

export const REGION_LEVELS = ['nation', 'province', 'regency', 'district', 'village'] as const;
export type RegionLevel = (typeof REGION_LEVELS)[number];

const LENGTH_BY_LEVEL: Record<Exclude<RegionLevel, 'nation'>, number> = {
	province: 2,
	regency: 4,
	district: 6,
	village: 10
};

const LEVEL_BY_LENGTH = new Map<number, RegionLevel>(
	Object.entries(LENGTH_BY_LEVEL).map(([level, length]) => [length, level as RegionLevel])
);

export const TPS_CODE_LENGTH = 13;

/** The length of the codes one level below `code` (a village's: its TPS); null below a village. */
export function childCodeLength(code: string): number | null {
	if (code === NATION_CODE) return LENGTH_BY_LEVEL.province;
	const next = { 2: 4, 4: 6, 6: 10, 10: TPS_CODE_LENGTH } as Record<number, number>;
	return next[code.length] ?? null;
}

/**
 * The levels a regency coordinator works at: each Pantarlih is listed, and TPS are drawn as
 * points on the map (no boundaries exist below regencies).
 */
export const FIELD_LEVELS: readonly RegionLevel[] = ['regency', 'district', 'village'];

/** The level of a region code, or null when the string is not a region code. */
export function regionLevel(code: string): RegionLevel | null {
	if (code === NATION_CODE) return 'nation';
	if (!/^\d+$/.test(code)) return null;
	return LEVEL_BY_LENGTH.get(code.length) ?? null;
}

export function isRegionCode(code: string): boolean {
	return regionLevel(code) !== null;
}

export function isTpsCode(code: string): boolean {
	return code.length === TPS_CODE_LENGTH && /^\d{13}$/.test(code) && !code.endsWith('000');
}

/** The parent region of a region or TPS code; null for the nation. */
export function parentCode(code: string): string | null {
	if (isTpsCode(code)) return code.slice(0, LENGTH_BY_LEVEL.village);
	const level = regionLevel(code);
	switch (level) {
		case null:
			throw new Error(`Not a region or TPS code: ${JSON.stringify(code)}`);
		case 'nation':
			return null;
		case 'province':
			return NATION_CODE;
		case 'regency':
			return code.slice(0, LENGTH_BY_LEVEL.province);
		case 'district':
			return code.slice(0, LENGTH_BY_LEVEL.regency);
		case 'village':
			return code.slice(0, LENGTH_BY_LEVEL.district);
	}
}

/** Every region above a code, nearest first, ending with the nation. */
export function ancestors(code: string): string[] {
	const chain: string[] = [];
	for (let parent = parentCode(code); parent !== null; parent = parentCode(parent)) {
		chain.push(parent);
	}
	return chain;
}

/** The code itself (if a region) and every region above it, from the nation down. */
export function lineage(code: string): string[] {
	const chain = ancestors(code).reverse();
	if (isRegionCode(code)) chain.push(code);
	return chain;
}

/** The province a region or TPS belongs to; null for the nation. */
export function provinceOf(code: string): string | null {
	if (code === NATION_CODE) return null;
	return code.slice(0, LENGTH_BY_LEVEL.province);
}

export function tpsCode(villageCode: string, number: number): string {
	if (regionLevel(villageCode) !== 'village') throw new Error(`Not a village code: ${villageCode}`);
	if (!Number.isInteger(number) || number < 1 || number > 999) {
		throw new Error(`TPS number must be 1..999, got ${number}`);
	}
	return villageCode + String(number).padStart(3, '0');
}

/** True when `code` is `scope` or lies under it (a TPS code counts as lying under its village). */
export function isWithin(code: string, scope: string): boolean {
	if (scope === NATION_CODE) return true;
	return code !== NATION_CODE && code.startsWith(scope);
}

/**
 * The smallest region that holds every code (region or TPS codes): the nation when they share no
 * province, or when there are none. What an audit entry about several places is filed under.
 */
export function commonRegion(codes: readonly string[]): string {
	if (codes.length === 0 || codes.includes(NATION_CODE)) return NATION_CODE;
	let prefix = codes[0];
	for (const code of codes) {
		let n = 0;
		while (n < prefix.length && n < code.length && prefix[n] === code[n]) n++;
		prefix = prefix.slice(0, n);
	}
	if (isTpsCode(prefix)) return prefix;
	const lengths = Object.values(LENGTH_BY_LEVEL)
		.filter((l) => l > 0 && l <= prefix.length)
		.sort((a, b) => b - a);
	return lengths.length > 0 ? prefix.slice(0, lengths[0]) : NATION_CODE;
}
