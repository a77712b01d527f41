import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './env';

describe('parseConfig', () => {
	it('fills defaults: port 3000, embedded database in ./data', () => {
		const config = parseConfig({});
		expect(config.PORT).toBe(3000);
		expect(config.DATABASE_URL).toBeUndefined();
		expect(config.DATA_DIR).toBe(`${process.cwd()}/data`);
	});

	it('reads a province list for seeding', () => {
		expect(parseConfig({ SEED_PROVINCES: '35, 31' }).SEED_PROVINCES).toEqual(['35', '31']);
	});

	it('names every bad value in one message', () => {
		try {
			parseConfig({ PORT: 'eighty', SEED_PROVINCES: '35,Jatim', DATABASE_URL: 'mysql://x' });
			expect.unreachable();
		} catch (error) {
			expect(error).toBeInstanceOf(ConfigError);
			const message = (error as Error).message;
			expect(message).toMatch(/PORT="eighty"/);
			expect(message).toMatch(/SEED_PROVINCES="35,Jatim": must be two-digit province codes/);
			expect(message).toMatch(/DATABASE_URL="mysql:\/\/x": must start with postgres/);
		}
	});

	it('treats an empty variable as unset', () => {
		expect(parseConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
	});
});
