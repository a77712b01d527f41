import {
	bigint,
	index,
	integer,
	jsonb,
	pgEnum,
	pgTable,
	text,
	timestamptz,
	appNow
} from './columns';
import { ROLES } from '../../../../domain/roles';

export const role = pgEnum('role', ROLES);

/** An official's account. `scope` is a region code: `id` (nation), a province or a regency. */
export const users = pgTable('users', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	email: text('email').notNull().unique(),
	name: text('name').notNull(),
	passwordHash: text('password_hash').notNull(),
	role: role('role').notNull(),
	scope: text('scope').notNull(),
	createdAt: timestamptz('created_at').notNull().default(appNow),
	disabledAt: timestamptz('disabled_at')
});

/** Sessions as the Lucia guide keeps them: the id is the SHA-256 of the cookie's token. */
export const sessions = pgTable(
	'sessions',
	{
		id: text('id').primaryKey(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id),
		expiresAt: timestamptz('expires_at').notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow()
	},
	(table) => [index('sessions_user_id_idx').on(table.userId)]
);

/** Read-only tokens for Bawaslu and other systems: the account's scope, never a change. */
export const apiTokens = pgTable('api_tokens', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	userId: integer('user_id')
		.notNull()
		.references(() => users.id),
	tokenHash: text('token_hash').notNull().unique(),
	label: text('label').notNull(),
	createdAt: timestamptz('created_at').notNull().default(appNow),
	revokedAt: timestamptz('revoked_at'),
	lastUsedAt: timestamptz('last_used_at')
});

/** Append-only: logins, every change by a user (before/after) and every export. */
export const auditLog = pgTable(
	'audit_log',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		at: timestamptz('at').notNull().default(appNow),
		userId: integer('user_id'),
		actor: text('actor').notNull(),
		action: text('action').notNull(),
		subject: text('subject'),
		before: jsonb('before'),
		after: jsonb('after'),
		ip: text('ip'),
		/**
		 * The region the entry is about ('id' for the nation): readers see the entries within
		 * their own scope. Null for entries written before regions were recorded (nation only).
		 */
		regionCode: text('region_code')
	},
	(table) => [
		index('audit_log_at_idx').on(table.at),
		index('audit_log_region_idx').on(table.regionCode, table.id)
	]
);

export type User = typeof users.$inferSelect;
export type Session = typeof sessions.$inferSelect;

/**
 * Browsers where an account signed in before (OWASP's device cookies): their login attempts are
 * limited on their own and pass an account locked against strangers. Stored as the cookie's hash.
 */
export const trustedDevices = pgTable(
	'trusted_devices',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		tokenHash: text('token_hash').notNull().unique(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		lastUsedAt: timestamptz('last_used_at').notNull().defaultNow(),
		expiresAt: timestamptz('expires_at').notNull()
	},
	(table) => [index('trusted_devices_user_id_idx').on(table.userId)]
);
