/**
 * Simulated facts that the real data does not carry: voters to verify per TPS and the Pantarlih
 * (name, phone) of each TPS. Every value is a pure function of the TPS code (and its national
 * index, for unique phone numbers), so any subset of provinces gets the same values as a national
 * seed and a re-run produces identical rows. Everything made here is labelled simulated in the UI.
 */

/** 32-bit FNV-1a hash of a string with a salt: a cheap, well-spread, deterministic seed. */
function hash(text: string, salt: number): number {
	let h = (0x811c9dc5 ^ salt) >>> 0;
	for (let i = 0; i < text.length; i++) {
		h ^= text.charCodeAt(i);
		h = Math.imul(h, 0x01000193) >>> 0;
	}
	// Final avalanche (from murmur3's fmix32) so that neighbouring codes land far apart.
	h ^= h >>> 16;
	h = Math.imul(h, 0x85ebca6b) >>> 0;
	h ^= h >>> 13;
	h = Math.imul(h, 0xc2b2ae35) >>> 0;
	h ^= h >>> 16;
	return h >>> 0;
}

/** A number in [0, 1) determined by the code and the salt. */
export function unit(code: string, salt: number): number {
	return hash(code, salt) / 0x1_0000_0000;
}

const SALT = { target: 1, first: 2, last: 3, operator: 4, gender: 5 } as const;

export const TARGET_MIN = 100;
export const TARGET_MAX = 300;

/**
 * Voters to verify at a TPS: 100..300 (the 2024 rule caps a TPS at 300), skewed towards the top
 * so the national mean is near the real 250 (300 - 201 * E[u^3] = 300 - 50.25).
 */
export function simulatedTarget(tps: string): number {
	const u = unit(tps, SALT.target);
	return TARGET_MAX - Math.floor((TARGET_MAX - TARGET_MIN + 1) * u ** 3);
}

const MALE = [
	'Budi',
	'Agus',
	'Bambang',
	'Slamet',
	'Joko',
	'Hendra',
	'Rudi',
	'Ahmad',
	'Muhammad',
	'Andi',
	'Yusuf',
	'Eko',
	'Dedi',
	'Wahyu',
	'Heru',
	'Arif',
	'Fajar',
	'Rizky',
	'Teguh',
	'Imam',
	'Made',
	'Ketut',
	'Putu',
	'Yohanes',
	'Daniel',
	'Hasan',
	'Iwan',
	'Sutrisno',
	'Suparman',
	'Asep',
	'Ujang',
	'Dodi',
	'Irfan',
	'Bayu',
	'Gede',
	'La Ode',
	'Andreas',
	'Benny',
	'Taufik',
	'Zulkifli'
];
const FEMALE = [
	'Siti',
	'Sri',
	'Dewi',
	'Nur',
	'Wulan',
	'Rina',
	'Ani',
	'Yuliana',
	'Fitri',
	'Lestari',
	'Ratna',
	'Indah',
	'Kartini',
	'Ayu',
	'Maria',
	'Nurul',
	'Endang',
	'Wati',
	'Eka',
	'Nyoman',
	'Rahmawati',
	'Diah',
	'Novita',
	'Susanti',
	'Yanti',
	'Hj. Aminah',
	'Kadek',
	'Fransiska',
	'Marlina',
	'Suryani'
];
const SECOND = [
	'Santoso',
	'Wijaya',
	'Saputra',
	'Hidayat',
	'Kusuma',
	'Pratama',
	'Nugroho',
	'Setiawan',
	'Siregar',
	'Nasution',
	'Harahap',
	'Lubis',
	'Simanjuntak',
	'Hutapea',
	'Sinaga',
	'Tampubolon',
	'Rahman',
	'Hakim',
	'Syahputra',
	'Purnomo',
	'Susilo',
	'Wibowo',
	'Utami',
	'Handayani',
	'Permata',
	'Anggraini',
	'Sulistyo',
	'Manurung',
	'Pangaribuan',
	'Mandagi',
	'Lumban Gaol',
	'Rumbiak',
	'Wenda',
	'Kogoya',
	'Tuasikal',
	'Latuconsina',
	'Daeng',
	'Mappaselle',
	'Nainggolan',
	'Sembiring',
	'Ginting',
	'Tarigan',
	'Marpaung',
	'Fauzi',
	'Ramadhan',
	'Kurniawan',
	'Firmansyah',
	'',
	'',
	''
];

function pick<T>(list: readonly T[], u: number): T {
	return list[Math.floor(u * list.length)];
}

export function simulatedName(tps: string): string {
	const female = unit(tps, SALT.gender) < 0.45;
	const first = pick(female ? FEMALE : MALE, unit(tps, SALT.first));
	const second = pick(SECOND, unit(tps, SALT.last));
	return second ? `${first} ${second}` : first;
}

/** Mobile prefixes of Indonesian operators (the digits after +62 8). */
const OPERATORS = [
	'11',
	'12',
	'13',
	'21',
	'22',
	'23',
	'51',
	'52',
	'53',
	'14',
	'15',
	'16',
	'55',
	'56',
	'57',
	'58',
	'17',
	'18',
	'19',
	'59',
	'77',
	'78',
	'95',
	'96',
	'97',
	'98',
	'99',
	'81',
	'82',
	'83',
	'85',
	'87'
];
const PHONE_SPACE = 100_000_000;
// Odd and not a multiple of 5, so multiplying by it permutes 0..10^8-1: distinct TPS, distinct phones.
const PHONE_STRIDE = 48_271;

/** A +62 8xx number, unique per national TPS index; stored in E.164 without spaces. */
export function simulatedPhone(tps: string, index: number): string {
	if (!Number.isInteger(index) || index < 0 || index >= PHONE_SPACE) {
		throw new Error(`TPS index out of range: ${index}`);
	}
	const body = (index * PHONE_STRIDE + 13_579) % PHONE_SPACE;
	return `+628${pick(OPERATORS, unit(tps, SALT.operator))}${String(body).padStart(8, '0')}`;
}
