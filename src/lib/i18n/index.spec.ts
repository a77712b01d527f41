import { describe, expect, it } from 'vitest';
import { en } from './en';
import { id } from './id';
import { languageOf, translator } from './index';

const keys = (o: object, prefix = ''): string[] =>
	Object.entries(o).flatMap(([k, v]) =>
		typeof v === 'object' ? keys(v, `${prefix}${k}.`) : [`${prefix}${k}`]
	);

describe('i18n', () => {
	it('speaks Indonesian by default and English when chosen, with values', () => {
		expect(translator('id')('nav.logout')).toBe('Keluar');
		expect(translator('en')('nav.logout')).toBe('Sign out');
		expect(translator('id')('region.code', { code: '35' })).toBe('kode 35');
		expect(translator('en')('table.shown', { shown: 3, total: 38 })).toBe('3 of 38 shown');
	});

	it('keeps a text without values, and still fills values on every call', () => {
		const t = translator('id');
		expect(translator('id')).toBe(t);
		expect(t('nav.logout')).toBe('Keluar');
		expect(t('nav.logout')).toBe('Keluar');
		expect(t('region.code', { code: '35' })).toBe('kode 35');
		expect(t('region.code', { code: '3501' })).toBe('kode 3501');
		// The same key asked without values later is the text's own, not the last one filled in.
		expect(t('region.code')).toBe(id.region.code);
		expect(translator('en')('nav.logout')).toBe('Sign out');
	});

	it('has every Indonesian key in English, each with the same placeholders', () => {
		expect(keys(en).sort()).toEqual(keys(id).sort());
		const placeholders = (s: string) => [...s.matchAll(/{{(\w+)}}/g)].map((m) => m[1]).sort();
		for (const key of keys(id)) {
			expect(placeholders(translator('en')(key)), key).toEqual(placeholders(translator('id')(key)));
		}
	});

	it('names a threshold by its own label inside a problem, in each language', () => {
		const values = { field: 'checkHour', min: 0, max: 23 };
		expect(translator('id')('problem.thresholds', values)).toBe(
			'Ambang "Di bawah target: jam pemeriksaan (waktu setempat)" harus angka dari 0 sampai 23'
		);
		expect(translator('en')('problem.thresholds', values)).toMatch(
			/^Threshold ".*check.*" must be a number from 0 to 23$/i
		);
	});

	it('says the log\'s words in Indonesian: a heartbeat is a "kiriman", a snapshot a "catatan"', () => {
		// Command names ("snapshot:freeze") and the README's section names stay as written.
		const said = keys(id)
			.map((key) => translator('id')(key).replace(/snapshot:freeze|"Evidence"|{{\w+}}/g, ''))
			.filter((text) => /\b(heartbeats?|snapshots?|valid)\b/i.test(text));
		expect(said).toEqual([]);
	});

	it('treats anything but en as Indonesian', () => {
		expect(languageOf('en')).toBe('en');
		expect(languageOf('fr')).toBe('id');
		expect(languageOf(undefined)).toBe('id');
	});
});
