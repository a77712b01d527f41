/**
 * The transparency log over the heartbeats (evidence/tree.ts, domain/merkle.ts): every heartbeat
 * id ever accepted, with the fingerprint of its content and its place in the log; the tree's
 * hashes as tlog tiles; the head; the signed checkpoints; the log's keys; the witnesses and their
 * cosignatures. Migration 0019 adds the functions and triggers drizzle does not describe.
 */
import { sql } from 'drizzle-orm';
import {
	bigint,
	boolean,
	bytea,
	check,
	date,
	index,
	integer,
	pgTable,
	primaryKey,
	smallint,
	text,
	timestamptz,
	uuid,
	appNow
} from './columns';

/**
 * One row per heartbeat id, global across the log's day partitions and archives: an id names one
 * heartbeat, so the same id with other content is refused (`idConflict`). `content` is
 * heartbeat_content() of what the phone sent; `logIndex` is its place in the log, given in the
 * commit that stores it (null only for heartbeats stored before the log existed, until the server
 * sequences them at start).
 */
export const heartbeatLog = pgTable(
	'heartbeat_log',
	{
		id: uuid('id').primaryKey(),
		content: bytea('content').notNull(),
		tpsCode: text('tps_code').notNull(),
		deviceTokenId: integer('device_token_id').notNull(),
		recordedAt: timestamptz('recorded_at').notNull(),
		logIndex: bigint('log_index', { mode: 'number' })
	},
	(table) => [
		index('heartbeat_log_unsequenced_idx')
			.on(table.id)
			.where(sql`${table.logIndex} is null`)
	]
);

/** The tree's hashes, tlog-tiles: level L, index N, up to 256 hashes of 32 bytes. */
export const logTiles = pgTable(
	'log_tiles',
	{
		level: smallint('level').notNull(),
		idx: bigint('idx', { mode: 'number' }).notNull(),
		hashes: bytea('hashes').notNull()
	},
	(table) => [
		primaryKey({ columns: [table.level, table.idx] }),
		check(
			'log_tiles_width',
			sql`octet_length(${table.hashes}) between 32 and 8192 and octet_length(${table.hashes}) % 32 = 0`
		)
	]
);

/** One row: how many leaves are sequenced (`size`), how many are in the tree (`treeSize`), its root. */
export const logHead = pgTable(
	'log_head',
	{
		one: boolean('one').primaryKey().default(true),
		size: bigint('size', { mode: 'number' }).notNull().default(0),
		treeSize: bigint('tree_size', { mode: 'number' }).notNull().default(0),
		root: bytea('root').notNull()
	},
	(table) => [check('log_head_one', sql`${table.one}`)]
);

/** Every signed checkpoint (a signed note), newest the one served. */
export const logCheckpoints = pgTable('log_checkpoints', {
	treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
	root: bytea('root').notNull(),
	note: text('note').notNull(),
	signedAt: timestamptz('signed_at').notNull().default(appNow)
});

/** The log's public keys (verifier keys), each signing from `firstSize` on; old ones stay. */
export const logKeys = pgTable('log_keys', {
	verifier: text('verifier').primaryKey(),
	firstSize: bigint('first_size', { mode: 'number' }).notNull(),
	addedAt: timestamptz('added_at').notNull().default(appNow)
});

/** Witnesses registered by an admin: their cosignature verifier keys (type 0x04). */
export const logWitnesses = pgTable('log_witnesses', {
	id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
	name: text('name').notNull().unique(),
	verifier: text('verifier').notNull().unique(),
	label: text('label').notNull(),
	addedAt: timestamptz('added_at').notNull().default(appNow),
	removedAt: timestamptz('removed_at')
});

/** Cosignatures received: the witness, the checkpoint it cosigned, its line and time. */
export const logCosignatures = pgTable(
	'log_cosignatures',
	{
		witnessId: integer('witness_id')
			.notNull()
			.references(() => logWitnesses.id),
		treeSize: bigint('tree_size', { mode: 'number' })
			.notNull()
			.references(() => logCheckpoints.treeSize),
		line: text('line').notNull(),
		cosignedAt: timestamptz('cosigned_at').notNull(),
		receivedAt: timestamptz('received_at').notNull().default(appNow)
	},
	(table) => [
		primaryKey({ columns: [table.witnessId, table.treeSize] }),
		index('log_cosignatures_tree_size_idx').on(table.treeSize)
	]
);

/**
 * A frozen day bound into the log: for each zone's frozen day, a note signed with the log's key
 * holding the tree's size and root at the freeze and the digest over that zone's provinces'
 * frozen digests, so that a day's digests cannot be swapped without breaking a signature.
 */
export const logDayNotes = pgTable(
	'log_day_notes',
	{
		zone: text('zone').notNull(),
		day: date('day', { mode: 'string' }).notNull(),
		note: text('note').notNull(),
		signedAt: timestamptz('signed_at').notNull().default(appNow)
	},
	(table) => [primaryKey({ columns: [table.zone, table.day] })]
);
