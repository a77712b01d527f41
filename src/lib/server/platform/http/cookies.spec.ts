import { describe, expect, it } from 'vitest';
import { cookieOptions } from './cookies';

describe('cookieOptions', () => {
	it('is Secure whenever the site is served over HTTPS, for setting and deleting alike', () => {
		const https = new URL('https://pantau.example.go.id/login');
		expect(cookieOptions(https, { expires: new Date(0) })).toMatchObject({
			secure: true,
			httpOnly: true,
			sameSite: 'lax',
			path: '/'
		});
		expect(cookieOptions(https).secure).toBe(true);
	});

	it('is not Secure on plain HTTP (a laptop demo on localhost), so the browser keeps it', () => {
		expect(cookieOptions(new URL('http://localhost:3000/')).secure).toBe(false);
	});
});
