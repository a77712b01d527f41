import { boolean, index, integer, pgTable, text, timestamptz } from './columns';

/** A coordinator's follow-up of a Pantarlih: a note ("sudah dihubungi, HP rusak") and/or "contacted". */
export const followups = pgTable(
	'followups',
	{
		id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
		tpsCode: text('tps_code').notNull(),
		userId: integer('user_id').notNull(),
		author: text('author').notNull(),
		note: text('note').notNull(),
		contacted: boolean('contacted').notNull().default(false),
		/** On the server's clock. */
		at: timestamptz('at').notNull()
	},
	(table) => [index('followups_tps_idx').on(table.tpsCode, table.at)]
);

export type Followup = typeof followups.$inferSelect;
