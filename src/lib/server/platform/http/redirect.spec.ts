import { describe, expect, it } from 'vitest';
import { sameOriginPath } from './redirect';

const origin = 'https://pantau.example.go.id';

describe('sameOriginPath', () => {
	it('keeps a path of this site, with its query and fragment', () => {
		expect(sameOriginPath('/wilayah/35?tanggal=2026-11-30#peta', origin)).toBe(
			'/wilayah/35?tanggal=2026-11-30#peta'
		);
	});

	it.each([
		['a backslash after the slash', '/\\evil.example/phish'],
		['an encoded backslash, decoded once by the router', '/\\evil.example/%2e%2e'],
		['a tab between the slashes', '/\t/evil.example/phish'],
		['a newline between the slashes', '/\n/evil.example/phish'],
		['a protocol-relative URL', '//evil.example/phish'],
		['an absolute URL', 'https://evil.example/phish'],
		['a javascript: URL', 'javascript:alert(1)'],
		['no leading slash', 'evil.example'],
		['an empty target', ''],
		['userinfo that names another host', '/@evil.example']
	])('refuses %s', (_, target) => {
		const path = sameOriginPath(target, origin);
		expect(new URL(path, origin).origin).toBe(origin);
		expect(path.startsWith('/') && !/^\/[/\\]/.test(path)).toBe(true);
	});

	it('answers the fallback for targets that leave the site', () => {
		expect(sameOriginPath('/\\evil.example/phish', origin)).toBe('/');
		expect(sameOriginPath('/\t/evil.example', origin, '/wilayah/id')).toBe('/wilayah/id');
		expect(sameOriginPath(null, origin)).toBe('/');
	});

	it('normalises dot segments instead of passing them on', () => {
		expect(sameOriginPath('/wilayah/../admin/users', origin)).toBe('/admin/users');
	});
});
