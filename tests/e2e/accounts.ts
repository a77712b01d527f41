/** The demo accounts the e2e server creates (DEMO=1), and helpers to act as them. */
import { request, type APIRequestContext, type Page } from '@playwright/test';

export const PASSWORD = 'coklit-demo-2029';
export const ACCOUNTS = {
	admin: { email: 'admin@demo.pantau.id', scope: 'id', outside: null },
	leader: { email: 'pimpinan@demo.pantau.id', scope: '35', outside: '31' },
	coordinator: { email: 'koordinator@demo.pantau.id', scope: '3501', outside: '3502' },
	observer: { email: 'bawaslu@demo.pantau.id', scope: '35', outside: '31' }
} as const;
export type RoleName = keyof typeof ACCOUNTS;

export async function loginPage(page: Page, role: RoleName) {
	await page.goto('/login');
	await page.getByLabel('Email').fill(ACCOUNTS[role].email);
	await page.getByLabel('Kata sandi').fill(PASSWORD);
	await page.getByRole('button', { name: 'Masuk' }).click();
	await page.waitForURL(/\/wilayah\//);
}

/** An API client holding a session cookie for the role (or none). */
export async function client(baseURL: string, role?: RoleName): Promise<APIRequestContext> {
	const context = await request.newContext({
		baseURL,
		extraHTTPHeaders: { origin: baseURL, accept: 'text/html' },
		maxRedirects: 0
	});
	if (role) {
		const response = await context.post('/login', {
			form: { email: ACCOUNTS[role].email, password: PASSWORD }
		});
		if (response.status() !== 303)
			throw new Error(`login as ${role} answered ${response.status()}`);
	}
	return context;
}
