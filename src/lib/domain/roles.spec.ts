import { describe, expect, it } from 'vitest';
import {
	canAcknowledgeAlerts,
	canChangeAnything,
	canManageDevices,
	canManageUser,
	canResolveAlerts,
	canView,
	scopeProblem,
	showPhone,
	type Principal
} from './roles';

const admin: Principal = { role: 'admin', scope: 'id' };
const leader: Principal = { role: 'leader', scope: '35' };
const coordinator: Principal = { role: 'coordinator', scope: '3523' };
const observer: Principal = { role: 'observer', scope: '35' };

describe('scope', () => {
	it('a coordinator of 3523 sees its villages and TPS, never 3578 or the province', () => {
		expect(canView(coordinator, '3523012001')).toBe(true);
		expect(canView(coordinator, '3523012001001')).toBe(true);
		expect(canView(coordinator, '3578')).toBe(false);
		expect(canView(coordinator, '35')).toBe(false);
		expect(canView(coordinator, 'id')).toBe(false);
	});

	it('an admin sees the nation and everything in it', () => {
		expect(canView(admin, 'id')).toBe(true);
		expect(canView(admin, '9601')).toBe(true);
	});

	it.each([
		['admin', 'id', null],
		['admin', '35', 'adminScope'],
		['leader', '3523', 'leaderScope'],
		['coordinator', '35', 'coordinatorScope'],
		['observer', '352301', 'observerScope'],
		['observer', 'id', null],
		['coordinator', '3523', null]
	] as const)('%s with scope %s', (role, scope, problem) => {
		const found = scopeProblem(role, scope);
		expect(found).toBe(problem);
	});
});

describe('what each role may change', () => {
	it('observers and read-only tokens change nothing', () => {
		expect(canChangeAnything(observer)).toBe(false);
		expect(canChangeAnything({ ...admin, readOnly: true })).toBe(false);
		expect(canAcknowledgeAlerts(observer, '3523')).toBe(false);
		expect(canManageDevices({ ...coordinator, readOnly: true }, '3523')).toBe(false);
	});

	it('leaders acknowledge but do not resolve alerts; coordinators do both in their regency', () => {
		expect(canAcknowledgeAlerts(leader, '3523')).toBe(true);
		expect(canResolveAlerts(leader, '3523')).toBe(false);
		expect(canResolveAlerts(coordinator, '3523')).toBe(true);
		expect(canResolveAlerts(coordinator, '3578')).toBe(false);
	});

	it('only coordinators (and admins) issue device tokens, inside their scope', () => {
		expect(canManageDevices(coordinator, '3523012001001')).toBe(true);
		expect(canManageDevices(coordinator, '3578012001001')).toBe(false);
		expect(canManageDevices(leader, '3523012001001')).toBe(false);
	});

	it('a leader manages coordinators and observers of their province only', () => {
		expect(canManageUser(leader, { role: 'coordinator', scope: '3523' })).toBe(true);
		expect(canManageUser(leader, { role: 'observer', scope: '35' })).toBe(true);
		expect(canManageUser(leader, { role: 'coordinator', scope: '3173' })).toBe(false);
		expect(canManageUser(leader, { role: 'leader', scope: '35' })).toBe(false);
		expect(canManageUser(leader, { role: 'observer', scope: 'id' })).toBe(false);
		expect(canManageUser(admin, { role: 'admin', scope: 'id' })).toBe(true);
		expect(canManageUser(coordinator, { role: 'observer', scope: '3523' })).toBe(false);
	});
});

describe('phone numbers', () => {
	it('are masked for observers and read-only tokens, shown to coordinators', () => {
		expect(showPhone(observer, '+6281234567889')).toBe('+62 812-****-**89');
		expect(showPhone({ ...coordinator, readOnly: true }, '+6281234567889')).toBe(
			'+62 812-****-**89'
		);
		expect(showPhone(coordinator, '+6281234567889')).toBe('+6281234567889');
	});
});
