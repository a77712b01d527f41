/** Indonesian mobile numbers: one stored form (+628...) and the masked form observers see. Pure. */

/** +62 8xx in one canonical form, or null when it is not an Indonesian mobile number. */
export function normalizePhone(text: string): string | null {
	const digits = text.replace(/[\s\-().]/g, '');
	const national = /^\+?62(8\d{8,12})$/.exec(digits)?.[1] ?? /^0(8\d{8,12})$/.exec(digits)?.[1];
	return national ? `+62${national}` : null;
}

/** +6281234567889 -> +62 812-****-**89 (country code, operator prefix and the last two digits). */
export function maskPhone(phone: string): string {
	const digits = phone.replace(/\D/g, '');
	if (!digits.startsWith('62') || digits.length < 9) return '****';
	const prefix = digits.slice(2, 5);
	const rest = digits.slice(5);
	const hidden = rest.slice(0, -2).replace(/\d/g, '*');
	const shown = rest.slice(-2);
	const first = hidden.slice(0, 4);
	const second = hidden.slice(4);
	return `+62 ${prefix}-${first}-${second}${shown}`;
}
