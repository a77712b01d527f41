/**
 * Demo accounts, one per role, created only when DEMO=1 (the README's first command). Their
 * password is public, so a real deployment never sets DEMO.
 */
import { asc, eq } from 'drizzle-orm';
import type { Database } from '../platform/db/client';
import { regions } from '../platform/db/schema';
import { findUserByEmail } from './users';
import { createAccount } from './account-verbs';

export const DEMO_PASSWORD = 'coklit-demo-2029';

export async function ensureDemoAccounts(db: Database): Promise<string[]> {
	// Jawa Timur when it is loaded, otherwise the first province that is.
	const provinces = await db
		.select({ code: regions.code })
		.from(regions)
		.where(eq(regions.level, 'province'))
		.orderBy(asc(regions.code));
	const province = provinces.find((p) => p.code === '35') ?? provinces[0];
	if (!province) return [];
	const [regency] = await db
		.select({ code: regions.code })
		.from(regions)
		.where(eq(regions.parentCode, province.code))
		.orderBy(asc(regions.code))
		.limit(1);
	const accounts = [
		{ email: 'admin@demo.pantau.id', name: 'Ratna Sari (demo)', role: 'admin', scope: 'id' },
		{
			email: 'pimpinan@demo.pantau.id',
			name: 'Hendra Wijaya (demo)',
			role: 'leader',
			scope: province.code
		},
		{
			email: 'koordinator@demo.pantau.id',
			name: 'Dwi Lestari (demo)',
			role: 'coordinator',
			scope: regency.code
		},
		{
			email: 'bawaslu@demo.pantau.id',
			name: 'Agus Salim (demo)',
			role: 'observer',
			scope: province.code
		}
	];
	const lines: string[] = [];
	for (const account of accounts) {
		if (!(await findUserByEmail(db, account.email))) {
			await createAccount(
				db,
				{ role: 'admin', scope: 'id', userId: null, email: 'demo' },
				{ ...account, password: DEMO_PASSWORD }
			);
		}
		lines.push(
			`  ${account.role.padEnd(12)} ${account.email.padEnd(28)} ${DEMO_PASSWORD}   (wilayah ${account.scope})`
		);
	}
	return lines;
}
