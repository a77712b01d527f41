import { describe, expect, it } from 'vitest';
import { textArray } from './sql';

describe('textArray', () => {
	it('quotes each text and escapes quotes and backslashes, as PostgreSQL reads array literals', () => {
		expect(textArray([])).toBe('{}');
		expect(textArray(['3501012001001', 'a,b', 'say "hi"', 'c:\\dir', 'NULL'])).toBe(
			'{"3501012001001","a,b","say \\"hi\\"","c:\\\\dir","NULL"}'
		);
	});
});
