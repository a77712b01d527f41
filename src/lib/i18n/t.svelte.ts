/** `t(key)` in components: the language of the current page (from the root layout's data). */
import { page } from '$app/state';
import { languageOf, translator } from './index';

export const t = (key: string, values?: Record<string, unknown>) =>
	translator(languageOf(page.data?.lang as string | undefined))(key, values);
