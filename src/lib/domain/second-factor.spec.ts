import { describe, expect, it } from 'vitest';
import {
	checkTotp,
	DEFAULT_SECOND_FACTOR_ROLES,
	describeBrowser,
	needsReauth,
	normaliseRecoveryCode,
	recoveryCodeFrom,
	signInStage,
	totpCode,
	totpStep,
	totpUri
} from './second-factor';

// RFC 6238 appendix B's SHA-1 secret; its 8-digit codes end in these 6 digits.
const rfcSecret = new TextEncoder().encode('12345678901234567890');

describe('TOTP codes', () => {
	it('match the RFC 6238 test vectors (last six digits)', () => {
		expect(totpCode(rfcSecret, totpStep(59_000))).toBe('287082');
		expect(totpCode(rfcSecret, totpStep(1_111_111_109_000))).toBe('081804');
		expect(totpCode(rfcSecret, totpStep(1_234_567_890_000))).toBe('005924');
	});

	it('accept the current code once, and not an older one after a newer', () => {
		const now = 1_234_567_890_000;
		const code = totpCode(rfcSecret, totpStep(now));
		const first = checkTotp(rfcSecret, code, now, 0);
		expect(first).toEqual({ ok: true, step: totpStep(now) });
		expect(checkTotp(rfcSecret, code, now, totpStep(now))).toEqual({
			ok: false,
			reason: 'replayed'
		});
		const older = totpCode(rfcSecret, totpStep(now) - 1);
		expect(checkTotp(rfcSecret, older, now, totpStep(now))).toEqual({
			ok: false,
			reason: 'replayed'
		});
	});

	it('tolerate two steps of drift either way, not three', () => {
		const now = 1_700_000_000_000;
		for (const drift of [-2, -1, 1, 2])
			expect(checkTotp(rfcSecret, totpCode(rfcSecret, totpStep(now) + drift), now, 0).ok).toBe(
				true
			);
		for (const drift of [-3, 3])
			expect(checkTotp(rfcSecret, totpCode(rfcSecret, totpStep(now) + drift), now, 0)).toEqual({
				ok: false,
				reason: 'wrong'
			});
	});

	it('refuse what is not six digits, and read a typed space or dash', () => {
		const now = 1_700_000_000_000;
		const code = totpCode(rfcSecret, totpStep(now));
		expect(checkTotp(rfcSecret, `${code.slice(0, 3)} ${code.slice(3)}`, now, 0).ok).toBe(true);
		expect(checkTotp(rfcSecret, '12345', now, 0)).toEqual({ ok: false, reason: 'format' });
		expect(checkTotp(rfcSecret, 'abcdef', now, 0)).toEqual({ ok: false, reason: 'format' });
	});

	it('give an otpauth URI authenticator apps read', () => {
		const uri = totpUri('Pantau Coklit', 'ana@kpu.go.id', 'JBSWY3DPEHPK3PXP');
		expect(uri).toBe(
			'otpauth://totp/Pantau%20Coklit%3Aana%40kpu.go.id?secret=JBSWY3DPEHPK3PXP&issuer=Pantau+Coklit&algorithm=SHA1&digits=6&period=30'
		);
	});
});

describe('the step after a correct password', () => {
	const base = {
		role: 'coordinator' as const,
		hasFactor: false,
		trustedBrowser: false,
		demoAccount: false,
		requiredRoles: DEFAULT_SECOND_FACTOR_ROLES
	};
	it('asks for the factor an account has, unless the browser is trusted', () => {
		expect(signInStage({ ...base, hasFactor: true })).toBe('second_factor');
		expect(signInStage({ ...base, hasFactor: true, trustedBrowser: true })).toBe('full');
		expect(signInStage({ ...base, role: 'observer', hasFactor: true })).toBe('second_factor');
	});
	it('sends a required role without a factor to enrol, other roles in', () => {
		expect(signInStage(base)).toBe('enrol');
		expect(signInStage({ ...base, role: 'admin' })).toBe('enrol');
		expect(signInStage({ ...base, role: 'observer' })).toBe('full');
		expect(signInStage({ ...base, requiredRoles: [] })).toBe('full');
	});
	it('lets a demo account in without a factor', () => {
		expect(signInStage({ ...base, demoAccount: true })).toBe('full');
	});
});

describe('re-authentication', () => {
	it('is asked after ten minutes, not before', () => {
		const proven = new Date('2026-12-07T08:00:00Z');
		expect(needsReauth(proven, new Date('2026-12-07T08:10:00Z'))).toBe(false);
		expect(needsReauth(proven, new Date('2026-12-07T08:10:01Z'))).toBe(true);
	});
});

describe('recovery codes', () => {
	it('are ten letters in two groups, read back whatever the case and spacing', () => {
		const code = recoveryCodeFrom(new Uint8Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 30]));
		expect(code).toBe('abcde-fghj9');
		expect(normaliseRecoveryCode(' ABCDE FGHJ9 ')).toBe('abcdefghj9');
		expect(normaliseRecoveryCode('abcde-fghj')).toBeNull();
		expect(() => recoveryCodeFrom(new Uint8Array(4))).toThrow();
	});
});

describe('a browser in words', () => {
	it('names the browser and system', () => {
		expect(
			describeBrowser(
				'Mozilla/5.0 (Linux; Android 14; SM-A155F) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36'
			)
		).toEqual({ browser: 'Chrome 131', system: 'Android 14' });
		expect(
			describeBrowser(
				'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0'
			)
		).toEqual({ browser: 'Firefox 133', system: 'Windows 10' });
		expect(describeBrowser(null)).toEqual({ browser: null, system: null });
		expect(describeBrowser('curl/8.5.0').system).toBeNull();
	});
});
