import { boolean, date, integer, pgTable, text, timestamptz } from './columns';

/** A coklit period: the first and last day (local dates) of house-to-house checking. */
export const campaigns = pgTable('campaigns', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: text('name').notNull(),
	firstDay: date('first_day', { mode: 'string' }).notNull(),
	lastDay: date('last_day', { mode: 'string' }).notNull(),
	simulated: boolean('simulated').notNull().default(false),
	createdAt: timestamptz('created_at').notNull().defaultNow()
});

export type Campaign = typeof campaigns.$inferSelect;
