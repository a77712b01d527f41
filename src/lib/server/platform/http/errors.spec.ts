import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../../../domain/errors';
import { checkForm, formText } from './errors';

const schema = z.object({ email: formText(20), note: formText(5) });

describe('checkForm', () => {
	it('gives every field of the schema, absent ones as empty text, and drops the others', () => {
		expect(checkForm(schema, { email: 'a@b.id', extra: 'x' })).toEqual({
			email: 'a@b.id',
			note: ''
		});
	});

	it('refuses a field that is too long, naming it', () => {
		const refused = (() => {
			try {
				checkForm(schema, { email: 'a@b.id', note: 'panjang sekali' });
			} catch (caught) {
				return caught;
			}
		})();
		expect(refused).toBeInstanceOf(AppError);
		expect(refused).toMatchObject({
			problem: 'formInvalid',
			status: 400,
			values: { field: 'note' }
		});
	});

	it('refuses a form of more than 50 fields before reading any', () => {
		const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`f${i}`, '']));
		expect(() => checkForm(schema, many)).toThrow(AppError);
	});
});
