import { describe, expect, it } from 'vitest';
import { scrub } from './log';

describe('log scrubber', () => {
	it('masks tokens, session cookies, password hashes and phone numbers', () => {
		const line = scrub(
			'token pcd_abcdefghijklmnopqrstuvwxyz234567 api pca_abcdefghijklmnopqrstuvwxyz234567 cookie pantau_session=xyz123; ' +
				'hash $argon2id$v=19$m=19456,t=2,p=1$abc$def phones +6281234567890, 62 812 3456 7890 and 081234567890'
		);
		expect(line).not.toMatch(/pc[ad]_[a-z2-7]{16}/);
		expect(line).not.toContain('xyz123');
		expect(line).not.toContain('argon2id');
		expect(line).not.toMatch(/\d{8}/);
		expect(line).toContain('[token]');
		expect(line.match(/\[phone\]/g)?.length).toBe(3);
	});
	it('leaves ordinary lines alone (TPS codes, counts, times)', () => {
		const line = 'TPS 3501010001001 synced 120 at 2026-02-20T10:00:00Z in 12 ms';
		expect(scrub(line)).toBe(line);
	});
});
