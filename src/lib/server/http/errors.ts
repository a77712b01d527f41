/**
 * Where the application's one error type (domain/errors.ts AppError) meets HTTP: said in the
 * request's language, with its status, once. Loads and endpoints are wrapped in `guard`, form
 * actions in `formAction` (which also keeps what the person typed, passwords aside). Anything
 * else thrown is a bug: SvelteKit hands it to `handleError` (hooks.server.ts), which logs it with
 * an id and shows "internal error" with that id.
 */
import { error, fail, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { AppError } from '../../domain/errors';
import { requestTranslator, type Translate } from '../../i18n';

/** The sentence for an AppError, in the language of `t`. */
export const say = (problem: AppError, t: Translate) =>
	t(`problem.${problem.problem}`, problem.values);

/** Rethrows an AppError as SvelteKit's HTTP error (page or JSON); anything else unchanged. */
export function rethrow(caught: unknown, t: Translate): never {
	if (caught instanceof AppError)
		error(caught.status, { message: say(caught, t), problem: caught.problem });
	throw caught;
}

/** A load or endpoint whose AppErrors become HTTP errors in the request's language. */
export function guard<E extends { cookies: Cookies } = RequestEvent, R = unknown>(
	handler: (event: E) => R | Promise<R>
): (event: E) => Promise<R> {
	return async (event) => {
		try {
			return await handler(event);
		} catch (caught) {
			rethrow(caught, requestTranslator(event.cookies));
		}
	};
}

/** A form's text fields (files aside). */
export type FormFields = Record<string, string>;

function fields(data: FormData): FormFields {
	const out: FormFields = {};
	for (const [key, value] of data) if (typeof value === 'string') out[key] = value;
	return out;
}

/** What a refused form gets back: the sentence, its problem, and what was typed. */
export interface FormFailure {
	message: string;
	problem: string;
	typed: FormFields;
}

/** What the person typed, to give back with a refusal (never a password). */
const typed = (form: FormFields) =>
	Object.fromEntries(Object.entries(form).filter(([key]) => !/password/i.test(key)));

/**
 * A form action: the form is read once (a refusal if it cannot be), an AppError becomes
 * `fail(status, { message, problem, typed })` in the request's language (`typed`: what was typed).
 */
export function formAction<E extends RequestEvent = RequestEvent, R = unknown>(
	handler: (event: E, form: FormFields, data: FormData, t: Translate) => R | Promise<R>
) {
	return async (event: E) => {
		const t = requestTranslator(event.cookies);
		const data = await event.request.formData().catch(() => null);
		if (!data)
			return fail(400, {
				message: say(new AppError('formUnreadable'), t),
				problem: 'formUnreadable',
				typed: {}
			} as FormFailure);
		const form = fields(data);
		try {
			return await handler(event, form, data, t);
		} catch (caught) {
			if (caught instanceof AppError)
				return fail(caught.status, {
					message: say(caught, t),
					problem: caught.problem,
					typed: typed(form)
				} as FormFailure);
			throw caught;
		}
	};
}
