import {
	bigint,
	bytea,
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
	disabledAt: timestamptz('disabled_at'),
	/** When an admin last reset the account's second factors; told to its owner at next sign-in. */
	factorsResetAt: timestamptz('factors_reset_at')
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
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		/**
		 * What the session may do: `full`, or only the next step of signing in after a correct
		 * password (`second_factor`: prove a factor; `enrol`: enrol one, the role requires it).
		 */
		stage: text('stage', { enum: ['full', 'second_factor', 'enrol'] })
			.notNull()
			.default('full'),
		/** The last proof of identity (password or second factor): re-authentication counts from it. */
		provenAt: timestamptz('proven_at').notNull().defaultNow(),
		lastSeenAt: timestamptz('last_seen_at').notNull().defaultNow(),
		/** The browser's User-Agent and address at sign-in, to show the owner their sessions. */
		userAgent: text('user_agent'),
		ip: text('ip'),
		/** A passkey ceremony under way: its challenge (base64url), used once. */
		challenge: text('challenge')
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
	lastUsedAt: timestamptz('last_used_at'),
	/** After this the token is refused (401, "expired"). Security timing: the real clock. */
	expiresAt: timestamptz('expires_at').notNull(),
	/** `read`: GET only. No endpoint takes a write with an API token yet (README). */
	access: text('access', { enum: ['read'] })
		.notNull()
		.default('read')
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
		expiresAt: timestamptz('expires_at').notNull(),
		/** Until when this browser skips the second step (at most 30 days, the owner's choice). */
		secondFactorUntil: timestamptz('second_factor_until')
	},
	(table) => [index('trusted_devices_user_id_idx').on(table.userId)]
);

/**
 * An authenticator app's secret (TOTP, RFC 6238). `confirmedAt` is null until the owner typed a
 * first code; `lastStep` is the time step of the last code accepted, so a code works once.
 */
export const totpFactors = pgTable('totp_factors', {
	userId: integer('user_id')
		.primaryKey()
		.references(() => users.id),
	secret: bytea('secret').notNull(),
	createdAt: timestamptz('created_at').notNull().defaultNow(),
	confirmedAt: timestamptz('confirmed_at'),
	lastStep: bigint('last_step', { mode: 'number' }).notNull().default(0)
});

/** Passkeys (WebAuthn credentials): the public key only; the private key never leaves the device. */
export const passkeys = pgTable(
	'passkeys',
	{
		/** The credential id, base64url. */
		id: text('id').primaryKey(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id),
		name: text('name').notNull(),
		publicKey: bytea('public_key').notNull(),
		counter: bigint('counter', { mode: 'number' }).notNull().default(0),
		transports: text('transports').array().notNull().default([]),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		lastUsedAt: timestamptz('last_used_at')
	},
	(table) => [index('passkeys_user_id_idx').on(table.userId)]
);

/** One-time recovery codes: ten at a time, stored as SHA-256, each used once. */
export const recoveryCodes = pgTable(
	'recovery_codes',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		userId: integer('user_id')
			.notNull()
			.references(() => users.id),
		codeHash: text('code_hash').notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		usedAt: timestamptz('used_at')
	},
	(table) => [index('recovery_codes_user_id_idx').on(table.userId)]
);
