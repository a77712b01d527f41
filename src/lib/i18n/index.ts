/**
 * Languages: Bahasa Indonesia first, English second, with i18next (the most used JavaScript i18n
 * library; interpolation and fallback, no global state per request: each language gets its own
 * fixed `t`). The chosen language lives in a cookie set by POST /bahasa. Numbers and dates keep
 * the Indonesian format in both languages (src/lib/format.ts), as the commission writes them.
 */
import i18next, { type TFunction } from 'i18next';
import { en } from './en';
import { id } from './id';

export const LANGUAGES = ['id', 'en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const LANGUAGE_COOKIE = 'pantau_lang';

export const languageOf = (value: string | null | undefined): Language =>
	value === 'en' ? 'en' : 'id';

const instance = i18next.createInstance();
void instance.init({
	resources: { id: { translation: id }, en: { translation: en } },
	lng: 'id',
	fallbackLng: 'id',
	initAsync: false,
	// Svelte escapes text itself; strings rendered with {@html} are our own.
	interpolation: { escapeValue: false }
});

export type Translate = (key: string, values?: Record<string, unknown>) => string;

/** The language a request's cookie chose. */
export const requestLanguage = (cookies: { get(name: string): string | undefined }): Language =>
	languageOf(cookies.get(LANGUAGE_COOKIE));

const translators = new Map<Language, Translate>();

/**
 * `t` for one language. A text without values is looked up once and kept: the resources never
 * change after start, and a region page asks for the same labels hundreds of times while it
 * renders and hydrates (i18next's lookup was some 40 ms of the province page's hydration on a
 * phone-speed CPU). Texts with values go through i18next every time.
 */
export function translator(language: Language): Translate {
	let translate = translators.get(language);
	if (translate) return translate;
	const t: TFunction = instance.getFixedT(language);
	const plain = new Map<string, string>();
	translate = (key, values) => {
		if (values !== undefined) return String(t(key, values));
		let text = plain.get(key);
		if (text === undefined) plain.set(key, (text = String(t(key))));
		return text;
	};
	translators.set(language, translate);
	return translate;
}

/** `t` in the language a request's cookie chose, for server loads, actions and endpoints. */
export const requestTranslator = (cookies: { get(name: string): string | undefined }) =>
	translator(requestLanguage(cookies));
