/**
 * Who may see and do what: roles and regional scope, pure. Every page, API route, socket
 * subscription and export asks these functions on the server.
 *
 * - admin (KPU RI): everything, nationwide; manages users, campaign and targets.
 * - leader (KPU province): their province and below; acknowledges alerts; manages the
 *   coordinators and observers inside their province.
 * - coordinator (KPU regency): their regency; Pantarlih names and phones; follow-up notes;
 *   acknowledges and resolves alerts; issues and revokes device tokens.
 * - observer (Bawaslu, any level): read-only; phones masked; can export.
 */
import { isWithin, NATION_CODE, regionLevel } from './codes';
import { maskPhone } from './phone';

export const ROLES = ['admin', 'leader', 'coordinator', 'observer'] as const;
export type Role = (typeof ROLES)[number];

/** What an account needs for a decision: its role and scope (a region code, `id` = nation). */
export interface Principal {
	role: Role;
	scope: string;
	/** API tokens are read-only whatever the account's role. */
	readOnly?: boolean;
}

export type ScopeProblem = 'adminScope' | 'leaderScope' | 'coordinatorScope' | 'observerScope';

/**
 * Checks that a role fits a scope; returns what is wrong (`problem.<problem>` in
 * src/lib/i18n says it to a person), or null when it fits.
 */
export function scopeProblem(role: Role, scope: string): ScopeProblem | null {
	const level = regionLevel(scope);
	switch (role) {
		case 'admin':
			return scope === NATION_CODE ? null : 'adminScope';
		case 'leader':
			return level === 'province' ? null : 'leaderScope';
		case 'coordinator':
			return level === 'regency' ? null : 'coordinatorScope';
		case 'observer':
			return level === 'nation' || level === 'province' || level === 'regency'
				? null
				: 'observerScope';
	}
}

export const canView = (who: Principal, code: string) => isWithin(code, who.scope);

/** Changing data at all (alerts, notes, tokens, users): never observers or API tokens. */
export const canChangeAnything = (who: Principal) => !who.readOnly && who.role !== 'observer';

export const canManageDevices = (who: Principal, code: string) =>
	canChangeAnything(who) &&
	(who.role === 'admin' || who.role === 'coordinator') &&
	canView(who, code);

export const canAcknowledgeAlerts = (who: Principal, code: string) =>
	canChangeAnything(who) && canView(who, code);

export const canResolveAlerts = (who: Principal, code: string) =>
	canChangeAnything(who) && who.role !== 'leader' && canView(who, code);

export const canWriteNotes = canManageDevices;

/** Admins manage everyone; a leader manages coordinators and observers inside their province. */
export function canManageUser(who: Principal, target: { role: Role; scope: string }): boolean {
	if (!canChangeAnything(who)) return false;
	if (who.role === 'admin') return true;
	return (
		who.role === 'leader' &&
		(target.role === 'coordinator' || target.role === 'observer') &&
		target.scope !== NATION_CODE &&
		isWithin(target.scope, who.scope)
	);
}

export const canManageUsers = (who: Principal) =>
	canChangeAnything(who) && (who.role === 'admin' || who.role === 'leader');

export const canReadAudit = (who: Principal) => who.role === 'admin' || who.role === 'observer';

/** The campaign's dates, target curves and alert thresholds: admins only. */
export const canEditCampaign = (who: Principal) => canChangeAnything(who) && who.role === 'admin';

/** Moving closed days of the heartbeat log into archive files and back: national admins only. */
export const canArchiveLog = (who: Principal) =>
	canChangeAnything(who) && who.role === 'admin' && who.scope === NATION_CODE;

/** Roster and target imports, each within the importer's own region. */
export const canImport = canChangeAnything;

/**
 * What a region page opens on, by role (the same data and routes for all): an observer on the
 * evidence; whoever may call Pantarlih on whom to call now; everyone else on who is behind.
 */
export const opensOnEvidence = (who: Principal) => who.role === 'observer';

/** Only observers (and read-only tokens) see phone numbers masked. */
export const seesFullPhone = (who: Principal) => who.role !== 'observer' && !who.readOnly;

export function showPhone(who: Principal, phone: string): string {
	return seesFullPhone(who) ? phone : maskPhone(phone);
}
