import type { ParamMatcher } from '@sveltejs/kit';

/** A 13-digit TPS code (village code + 3-digit number): /wilayah/<tps> is the TPS page. */
export const match: ParamMatcher = (param) => /^\d{13}$/.test(param);
