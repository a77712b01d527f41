/**
 * Where the application's one error type (domain/errors.ts AppError) meets HTTP: said in the
 * request's language, with its status, once. Loads and endpoints are wrapped in `guard`, form
 * actions in `formAction` (which also keeps what the person typed, passwords aside). Anything
 * else thrown is a bug: SvelteKit hands it to `handleError` (hooks.server.ts), which logs it with
 * an id and shows "internal error" with that id.
 */
import { error, fail, type Cookies, type RequestEvent } from '@sveltejs/kit';
import { z } from 'zod';
import { AppError } from '../../../domain/errors';
import { requestTranslator, type Translate } from '../../../i18n';

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

/** Most text fields a form may send (ours send at most a dozen). */
const MAX_FIELDS = 50;
/** Most characters of a field given back with a refusal. */
const MAX_ECHO = 20_000;

/** What the person typed, to give back with a refusal (never a password; nothing huge). */
const typed = (form: FormFields) =>
	Object.fromEntries(
		Object.entries(form)
			.filter(([key]) => !/password/i.test(key) && key.length <= 40)
			.slice(0, MAX_FIELDS)
			.map(([key, value]) => [key, value.slice(0, MAX_ECHO)])
	);

/** A text field of a form: at most `max` characters, '' when absent. */
export const formText = (max: number) => z.string().max(max).default('');

/**
 * Checks a form's text fields against its schema before any code reads them: too many fields, a
 * field too long or of the wrong shape is `formInvalid` (400), naming the field.
 */
export function checkForm<S extends z.ZodType>(schema: S, form: FormFields): z.infer<S> {
	const names = Object.keys(form);
	if (names.length > MAX_FIELDS)
		throw new AppError('formInvalid', { field: names[MAX_FIELDS].slice(0, 40) });
	const result = schema.safeParse(form);
	if (!result.success)
		throw new AppError('formInvalid', {
			field: String(result.error.issues[0]?.path[0] ?? '').slice(0, 40)
		});
	return result.data;
}

/**
 * A form action: the form is read once and checked against `schema` (a refusal if it cannot be
 * read or does not fit), an AppError becomes `fail(status, { message, problem, typed })` in the
 * request's language (`typed`: what was typed, passwords aside).
 */
export function formAction<S extends z.ZodType, E extends RequestEvent = RequestEvent, R = unknown>(
	schema: S,
	handler: (event: E, form: z.infer<S>, data: FormData, t: Translate) => R | Promise<R>
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
			return await handler(event, checkForm(schema, form), data, t);
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
