import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, parseConfig } from './env';

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

	it('allows a compressed clock only for the demo', () => {
		expect(parseConfig({}).CLOCK_SPEED).toBe(1);
		expect(parseConfig({ DEMO: '1', CLOCK_SPEED: '720' }).CLOCK_SPEED).toBe(720);
		expect(() => parseConfig({ CLOCK_SPEED: '720' })).toThrow(
			/CLOCK_SPEED="720": .*only for the demo/
		);
		expect(() => parseConfig({ DEMO: '1', CLOCK_SPEED: '0.5' })).toThrow(/CLOCK_SPEED="0.5"/);
	});

	it('prints the effective configuration with secrets and URL passwords masked', () => {
		const lines = describeConfig(
			parseConfig({
				DATABASE_URL: 'postgres://kpu:rahasia@db.example:5432/pantau',
				METRICS_TOKEN: 'a-long-metrics-token',
				ALERT_WEBHOOK_URL: 'https://hook.example/alerts',
				ALERT_WEBHOOK_SECRET: 'a-long-webhook-secret'
			})
		);
		const text = lines.join('\n');
		expect(text).toContain('DATABASE_URL=postgres://kpu:********@db.example:5432/pantau');
		expect(text).toContain('METRICS_TOKEN=********');
		expect(text).toContain('ALERT_WEBHOOK_SECRET=********');
		expect(text).toContain('PORT=3000');
		expect(text).not.toMatch(/rahasia|a-long-metrics-token|a-long-webhook-secret/);
	});

	it('treats an empty variable as unset', () => {
		expect(parseConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
	});
});
