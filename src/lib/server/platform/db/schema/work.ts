import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamptz, uuid } from './columns';
import type { AlertEvent } from '../../../../protocol/live';

/**
 * A checked import waiting for its importer's confirmation (any process may take it): the rows to
 * change and the problems found, for an hour. Taken once.
 */
export const importPreviews = pgTable('import_previews', {
	id: uuid('id').primaryKey(),
	userId: integer('user_id').notNull(),
	/** The file's name, for the page and the audit log. */
	name: text('name').notNull(),
	/** domain/roster.ts checkRoster's answer with its counts (roster/import.ts Preview). */
	preview: jsonb('preview').notNull(),
	createdAt: timestamptz('created_at').notNull().defaultNow(),
	expiresAt: timestamptz('expires_at').notNull(),
	appliedAt: timestamptz('applied_at')
});

/**
 * Alert changes to deliver to ALERT_WEBHOOK_URL, written with the change itself: delivered at
 * least once, oldest first (so in order per subject), by whichever process holds the delivery
 * lock; a restart loses nothing.
 */
export const webhookOutbox = pgTable(
	'webhook_outbox',
	{
		id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
		event: jsonb('event').$type<AlertEvent>().notNull(),
		createdAt: timestamptz('created_at').notNull().defaultNow(),
		attempts: integer('attempts').notNull().default(0),
		nextAttemptAt: timestamptz('next_attempt_at').notNull().defaultNow(),
		deliveredAt: timestamptz('delivered_at')
	},
	(table) => [
		index('webhook_outbox_pending_idx')
			.on(table.id)
			.where(sql`delivered_at is null`)
	]
);

/**
 * Which process delivers the webhook outbox: one row, held for a while by one process and renewed
 * while it works, so deliveries stay in order with several processes and no transaction is held
 * open while a POST is on its way.
 */
export const webhookLease = pgTable('webhook_lease', {
	id: integer('id').primaryKey(),
	holder: text('holder').notNull(),
	until: timestamptz('until').notNull()
});
