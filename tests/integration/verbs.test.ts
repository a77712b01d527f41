/**
 * Every verb (src/lib/server/verbs, the alert actions, login and logout): its
 * change and its audit entry exist together or not at all. The failure is injected where it
 * hurts, between the two: a trigger makes the audit insert of one action fail, as a full disk or
 * a lost connection would; the change must then be gone too. And a verb refused for lack of
 * rights writes nothing, not even an entry.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/lib/domain/errors';
import { loadActivity } from '../../src/lib/server/rollup/activity';
import { AlertService } from '../../src/lib/server/alerts/service';
import { login, loginLimits } from '../../src/lib/server/accounts/login';
import { validateApiToken } from '../../src/lib/server/accounts/api-tokens';
import { hashToken } from '../../src/lib/server/platform/tokens';
import { Plan } from '../../src/lib/server/history/campaign';
import { rows, type Database } from '../../src/lib/server/platform/db/client';
import { EventBus, type EventName } from '../../src/lib/server/platform/events';
import { RollupStore } from '../../src/lib/server/rollup/store';
import { seed } from '../../src/lib/server/geography/seed';
import { CLI, type Actor } from '../../src/lib/server/accounts/actor';
import {
	changeAccount,
	createAccount,
	issueApiToken,
	revokeApiTokens
} from '../../src/lib/server/accounts/account-verbs';
import {
	setCurve,
	setThresholds,
	updateCampaign
} from '../../src/lib/server/history/campaign-verbs';
import { enrolPhones, revokePhone } from '../../src/lib/server/roster/enrol-verbs';
import { endSession } from '../../src/lib/server/accounts/session-verbs';
import { addFollowup } from '../../src/lib/server/followup/followup-verbs';
import { applyRoster, previewRoster } from '../../src/lib/server/roster/import-verbs';
import { freezeOnDemand } from '../../src/lib/server/history/freeze-verbs';
import { ZONES } from '../../src/lib/domain/calendar';
import { DEFAULT_ALERT_SETTINGS } from '../../src/lib/domain/alerts';
import { createTestDatabase, type TestDatabase } from '../fixtures/database';

const PASSWORD = 'rahasia-sekali-123';

describe('verbs', () => {
	let database: TestDatabase;
	const db = (): Database => database.db;
	let tpsCodes: string[];
	const heard: EventName[] = [];
	const bus = new EventBus();
	for (const name of ['tokensRevoked', 'planChanged', 'roster', 'alerts'] as const)
		bus.on(name, () => heard.push(name));

	const count = async (query: ReturnType<typeof sql>) =>
		(await rows<{ n: number }>(db(), query))[0].n;
	const audited = (action: string, subject?: string) =>
		count(
			sql`select count(*)::int as n from audit_log where action = ${action}
				${subject === undefined ? sql`` : sql`and subject = ${subject}`}`
		);

	/** Runs `change` with the audit insert of `action` failing; the change must be refused. */
	async function withFailingAudit(action: string, change: () => Promise<unknown>) {
		await db().execute(sql`insert into test_failing_audit (action) values (${action})`);
		try {
			const refused = await change().then(
				() => null,
				(error: { message?: string; cause?: { message?: string } }) => error
			);
			// drizzle wraps the database's error: the trigger's message is its cause.
			expect(`${refused?.message} ${refused?.cause?.message}`).toMatch(/injected failure/);
		} finally {
			await db().execute(sql`delete from test_failing_audit where action = ${action}`);
		}
	}

	beforeAll(async () => {
		database = await createTestDatabase();
		await seed(database, { provinces: ['75'] });
		await db().execute(sql`create table test_failing_audit (action text primary key)`);
		await db().execute(sql`create function test_fail_audit() returns trigger language plpgsql as $$
			begin
				if exists (select 1 from test_failing_audit where action = new.action) then
					raise exception 'injected failure: the audit entry of % cannot be written', new.action;
				end if;
				return new;
			end $$`);
		await db().execute(sql`create trigger test_fail_audit before insert on audit_log
			for each row execute function test_fail_audit()`);
		tpsCodes = (
			await rows<{ code: string }>(db(), sql`select code from tps order by code limit 5`)
		).map((r) => r.code);
	});
	afterAll(async () => {
		await database?.destroy();
	});

	const observer: Actor = { role: 'observer', scope: '75', userId: null, email: 'bawaslu@x.id' };

	it('createAccount: the account and its entry, or neither; refused rights write nothing', async () => {
		const input = { email: 'baru@example.id', password: PASSWORD, role: 'observer', scope: '75' };
		await withFailingAudit('user.create', () => createAccount(db(), CLI, input));
		expect(
			await count(sql`select count(*)::int as n from users where email = 'baru@example.id'`)
		).toBe(0);
		await expect(createAccount(db(), observer, input)).rejects.toMatchObject({
			problem: 'usersForbidden'
		});
		expect(await audited('user.create')).toBe(0);
		await createAccount(db(), CLI, input);
		expect(
			await count(sql`select count(*)::int as n from users where email = 'baru@example.id'`)
		).toBe(1);
		expect(await audited('user.create', 'baru@example.id')).toBe(1);
	});

	it('changeAccount: disabling and ending the sessions happen with the entry, or not at all', async () => {
		const signedIn = await login(db(), loginLimits(), {
			email: 'baru@example.id',
			password: PASSWORD,
			ip: '10.9.0.1'
		});
		if (!signedIn.ok) throw new Error('login failed');
		const sessions = () =>
			count(sql`select count(*)::int as n from sessions s join users u on u.id = s.user_id
				where u.email = 'baru@example.id'`);
		expect(await sessions()).toBe(1);
		await withFailingAudit('user.disable', () =>
			changeAccount(db(), CLI, 'baru@example.id', { disabled: true })
		);
		expect(await sessions()).toBe(1);
		expect(
			await count(
				sql`select count(*)::int as n from users where email = 'baru@example.id' and disabled_at is not null`
			)
		).toBe(0);
		await changeAccount(db(), CLI, 'baru@example.id', { disabled: true });
		expect(await sessions()).toBe(0);
		expect(await audited('user.disable', 'baru@example.id')).toBe(1);
		await changeAccount(db(), CLI, 'baru@example.id', { disabled: false });
		expect(await audited('user.enable', 'baru@example.id')).toBe(1);
	});

	it('login and endSession: a session begins with its login.success entry and ends with its logout entry', async () => {
		const sessions = () => count(sql`select count(*)::int as n from sessions`);
		const before = await sessions();
		const attempt = () =>
			login(db(), loginLimits(), { email: 'baru@example.id', password: PASSWORD, ip: '10.9.0.2' });
		await withFailingAudit('login.success', attempt);
		expect(await sessions()).toBe(before);
		const signedIn = await attempt();
		if (!signedIn.ok) throw new Error('login failed');
		expect(await sessions()).toBe(before + 1);
		const id = hashToken(signedIn.token);
		const actor: Actor = { role: 'observer', scope: '75', userId: null, email: 'baru@example.id' };
		await withFailingAudit('logout', () => endSession(db(), actor, id));
		expect(await sessions()).toBe(before + 1);
		await endSession(db(), actor, id);
		expect(await sessions()).toBe(before);
		expect(await audited('logout')).toBe(1);
	});

	it('API tokens: issued and revoked with their entries', async () => {
		await withFailingAudit('apitoken.issue', () =>
			issueApiToken(db(), CLI, 'baru@example.id', 'sistem')
		);
		expect(await count(sql`select count(*)::int as n from api_tokens`)).toBe(0);
		const { token } = await issueApiToken(db(), CLI, 'baru@example.id', 'sistem');
		await withFailingAudit('apitoken.revoke', () => revokeApiTokens(db(), CLI, 'baru@example.id'));
		expect(await validateApiToken(db(), token)).not.toBeNull();
		await revokeApiTokens(db(), CLI, 'baru@example.id');
		expect(await validateApiToken(db(), token)).toBeNull();
		expect(await audited('apitoken.revoke', 'baru@example.id')).toBe(1);
	});

	it('enrolPhones and revokePhone: tokens change with their entries, and the bus hears only of what happened', async () => {
		const [tps] = tpsCodes;
		const live = (token: string) =>
			count(sql`select count(*)::int as n from device_tokens
				where token_hash = ${hashToken(token)} and revoked_at is null`);
		const [first] = await enrolPhones({ db: db(), bus }, CLI, [tps], tps);
		heard.length = 0;
		await withFailingAudit('device.enrol', () => enrolPhones({ db: db(), bus }, CLI, [tps], tps));
		expect(await live(first.token)).toBe(1);
		expect(heard).toEqual([]);
		const coordinator: Actor = { role: 'coordinator', scope: '7501', userId: 7, email: 'k@x.id' };
		const outside = tpsCodes.find((c) => !c.startsWith('7501'));
		if (outside)
			await expect(
				enrolPhones({ db: db(), bus }, coordinator, [outside], outside)
			).rejects.toMatchObject({ problem: 'devicesForbidden' });
		await withFailingAudit('device.revoke', () => revokePhone({ db: db(), bus }, CLI, tps));
		expect(await live(first.token)).toBe(1);
		expect(await revokePhone({ db: db(), bus }, CLI, tps)).toBe(1);
		expect(await live(first.token)).toBe(0);
		expect(heard).toEqual(['tokensRevoked']);
		expect(await audited('device.revoke', tps)).toBe(1);
	});

	it('enrolPhones with onlyUnenrolled issues only where no phone holds a live token, and revokes nothing', async () => {
		const [a, b] = tpsCodes.slice(1, 3);
		const live = (token: string) =>
			count(sql`select count(*)::int as n from device_tokens
				where token_hash = ${hashToken(token)} and revoked_at is null`);
		await revokePhone({ db: db(), bus }, CLI, b);
		const [kept] = await enrolPhones({ db: db(), bus }, CLI, [a], a);
		const issued = await enrolPhones({ db: db(), bus }, CLI, [a, b], 'bulk', {
			onlyUnenrolled: true
		});
		expect(issued.map((t) => t.tpsCode)).toEqual([b]);
		expect(await live(kept.token)).toBe(1);
		// Nothing left to issue: no entry, no event.
		heard.length = 0;
		expect(
			await enrolPhones({ db: db(), bus }, CLI, [a, b], 'bulk', { onlyUnenrolled: true })
		).toEqual([]);
		expect(heard).toEqual([]);
	});

	it('addFollowup: the note and its entry together', async () => {
		const [tps] = tpsCodes;
		const coordinator: Actor = {
			role: 'coordinator',
			scope: tps.slice(0, 4),
			userId: 7,
			email: 'k@x.id',
			name: 'Koordinator'
		};
		const input = { region: tps.slice(0, 4), tps, note: 'HP rusak', contacted: true };
		await withFailingAudit('pantarlih.followup', () =>
			addFollowup({ db: db(), now: Date.now }, coordinator, input)
		);
		expect(await count(sql`select count(*)::int as n from followups`)).toBe(0);
		await expect(
			addFollowup({ db: db(), now: Date.now }, { ...coordinator, role: 'observer' }, input)
		).rejects.toBeInstanceOf(AppError);
		await addFollowup({ db: db(), now: Date.now }, coordinator, input);
		expect(await count(sql`select count(*)::int as n from followups`)).toBe(1);
		expect(await audited('pantarlih.followup', tps)).toBe(1);
	});

	it('campaign, curves and thresholds: changed with their entries; the plan reloads only after a change', async () => {
		const [before] = await rows<{ name: string }>(db(), sql`select name from campaigns`);
		heard.length = 0;
		const campaign = {
			name: 'Coklit uji',
			firstDay: '2026-02-12',
			lastDay: '2026-03-13',
			points: '10=40'
		};
		await withFailingAudit('campaign.update', () =>
			updateCampaign({ db: db(), bus }, CLI, campaign)
		);
		expect((await rows<{ name: string }>(db(), sql`select name from campaigns`))[0].name).toBe(
			before.name
		);
		await withFailingAudit('curve.override', () =>
			setCurve({ db: db(), bus }, CLI, '7501', '10=50')
		);
		expect(await count(sql`select count(*)::int as n from curve_overrides`)).toBe(0);
		const typed = Object.fromEntries(
			Object.entries(DEFAULT_ALERT_SETTINGS).map(([k, v]) => [k, String(v)])
		);
		await withFailingAudit('alerts.settings', () => setThresholds({ db: db(), bus }, CLI, typed));
		expect(await count(sql`select count(*)::int as n from alert_settings`)).toBe(0);
		expect(heard).toEqual([]);
		await expect(
			setThresholds({ db: db(), bus }, CLI, { ...typed, checkHour: '25' })
		).rejects.toMatchObject({
			problem: 'thresholds',
			values: { field: 'checkHour', min: 0, max: 23 }
		});
		await updateCampaign({ db: db(), bus }, CLI, campaign);
		await setCurve({ db: db(), bus }, CLI, '7501', '10=50');
		await setThresholds({ db: db(), bus }, CLI, typed);
		expect(heard).toEqual(['planChanged', 'planChanged', 'planChanged']);
		expect((await Plan.load(db())).campaign?.name).toBe('Coklit uji');
		for (const action of ['campaign.update', 'curve.override', 'alerts.settings'])
			expect(await audited(action)).toBe(1);
	});

	it('imports: a refused apply leaves the preview to try again; applied once, with its entry', async () => {
		const actor: Actor = { ...CLI, userId: 1, email: 'admin@x.id' };
		const [tps] = tpsCodes;
		const file = new TextEncoder().encode(`kode_tps,target\n${tps},222\n`);
		const { id } = await previewRoster({ db: db() }, actor, 'target.csv', file);
		const target = async () =>
			(await rows<{ target: number }>(db(), sql`select target from tps where code = ${tps}`))[0]
				.target;
		const old = await target();
		heard.length = 0;
		await withFailingAudit('import.roster', () => applyRoster({ db: db(), bus }, actor, id, false));
		expect(await target()).toBe(old);
		expect(heard).toEqual([]);
		// Another account cannot take it.
		await expect(
			applyRoster({ db: db(), bus }, { ...actor, userId: 2 }, id, false)
		).rejects.toMatchObject({ problem: 'importExpired' });
		await applyRoster({ db: db(), bus }, actor, id, false);
		expect(await target()).toBe(222);
		expect(heard).toEqual(['roster']);
		expect(await audited('import.roster', 'target.csv')).toBe(1);
		await expect(applyRoster({ db: db(), bus }, actor, id, false)).rejects.toMatchObject({
			problem: 'importExpired'
		});
	});

	it('freezeOnDemand: the frozen rows and their entry together', async () => {
		const frozen = () =>
			count(sql`select count(*)::int as n from daily_snapshots where date = '2026-02-14'`);
		await withFailingAudit('snapshot.freeze', () =>
			freezeOnDemand(db(), CLI, [ZONES.WITA], '2026-02-14')
		);
		expect(await frozen()).toBe(0);
		await expect(freezeOnDemand(db(), observer, [ZONES.WITA], '2026-02-14')).rejects.toMatchObject({
			problem: 'campaignForbidden'
		});
		const [done] = await freezeOnDemand(db(), CLI, [ZONES.WITA], '2026-02-14');
		expect(done.written).toBeGreaterThan(0);
		expect(await frozen()).toBe(done.written);
		expect(await audited('snapshot.freeze')).toBe(1);
	});

	it('alert actions: the status, the entry and the webhook delivery together', async () => {
		const store = new RollupStore();
		await store.load(db());
		const plan = await Plan.load(db());
		const alerts = new AlertService({
			db: db(),
			store,
			activity: await loadActivity(db()),
			plan: () => plan,
			now: Date.now,
			bus,
			outbox: true
		});
		const [tps] = tpsCodes;
		const [{ id }] = await rows<{ id: number }>(
			db(),
			sql`insert into alerts (rule, subject_code, details, opened_at, last_seen_at)
				values ('stuck_pending', ${tps}, '{}'::jsonb, now(), now()) returning id`
		);
		await alerts.load();
		const status = async () =>
			(await rows<{ status: string }>(db(), sql`select status from alerts where id = ${id}`))[0]
				.status;
		const outbox = () => count(sql`select count(*)::int as n from webhook_outbox`);
		await withFailingAudit('alert.acknowledge', () =>
			alerts.act(CLI, id, 'acknowledge', 'ditelepon')
		);
		expect(await status()).toBe('open');
		expect(await outbox()).toBe(0);
		await alerts.act(CLI, id, 'acknowledge', 'ditelepon');
		expect(await status()).toBe('acknowledged');
		expect(await outbox()).toBe(1);
		expect(await audited('alert.acknowledge', `stuck_pending ${tps}`)).toBe(1);
	});
});
