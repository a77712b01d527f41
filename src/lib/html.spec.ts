import { describe, expect, it } from 'vitest';
import { escapeHtml } from './html';

describe('escapeHtml', () => {
	it('turns the five HTML-special characters into entities and leaves the rest', () => {
		expect(escapeHtml(`<img src=x onerror="a('&')">`)).toBe(
			'&#60;img src=x onerror=&#34;a(&#39;&#38;&#39;)&#34;&#62;'
		);
		expect(escapeHtml('KOTA GORONTALO · 45,6%')).toBe('KOTA GORONTALO · 45,6%');
	});
});
