/**
 * Witnesses of the log: observers' own keys, registered by a national admin (audited), and the
 * cosignatures they post back over checkpoints the log signed (each checked, kept, audited).
 */
import { sql } from 'drizzle-orm';
import { NATION_CODE } from '../../domain/codes';
import { AppError, ensure } from '../../domain/errors';
import {
	cosignatureTime,
	NoteError,
	parseCheckpoint,
	parseNote,
	parseVerifier,
	type Verifier,
	type Witnessed
} from '../../domain/note';
import { canArchiveLog } from '../../domain/roles';
import { audit } from '../audit/record';
import { rows, type Database } from '../platform/db/client';
import type { Actor } from '../accounts/actor';
import { checkpointOf } from './checkpoints';

export interface Witness {
	id: number;
	name: string;
	label: string;
	verifier: string;
}

/** Registers an observer's witness key (`<name>+<hex id>+<base64 of 0x04 || key>`). */
export async function addWitness(
	db: Database,
	actor: Actor,
	input: { verifier: string; label: string }
): Promise<Witness> {
	ensure(canArchiveLog(actor), 'logForbidden');
	let key: Verifier;
	try {
		key = parseVerifier(input.verifier);
	} catch (error) {
		throw new AppError('witnessBadKey', { reason: (error as Error).message });
	}
	if (key.type !== 0x04)
		throw new AppError('witnessBadKey', { reason: 'a witness key has type 0x04 (cosignature/v1)' });
	const label = input.label.trim() || key.name;
	return db.transaction(async (tx) => {
		const [made] = await rows<{ id: number }>(
			tx,
			sql`insert into log_witnesses (name, verifier, label) values (${key.name}, ${key.text}, ${label})
				on conflict do nothing returning id`
		);
		if (!made) throw new AppError('witnessExists', { name: key.name });
		await audit(tx, actor, {
			action: 'log.witness.add',
			subject: key.name,
			region: NATION_CODE,
			after: { name: key.name, label, verifier: key.text }
		});
		return { id: made.id, name: key.name, label, verifier: key.text };
	});
}

export async function witnesses(db: Database): Promise<Witness[]> {
	return rows<Witness>(
		db,
		sql`select id, name, label, verifier from log_witnesses where removed_at is null order by id`
	);
}

/**
 * Takes a checkpoint note carrying witness cosignatures: the note's text must be a checkpoint the
 * log signed; each signature line of a registered witness must verify; those are kept. Returns
 * the names of the witnesses whose cosignature was new.
 */
export async function acceptCosignatures(
	db: Database,
	note: string,
	now: number
): Promise<{ size: number; witnesses: string[] }> {
	let parsed;
	let size: number;
	try {
		parsed = parseNote(note);
		size = parseCheckpoint(parsed.text).size;
	} catch (error) {
		if (error instanceof NoteError)
			throw new AppError('cosignatureUnreadable', { reason: error.message });
		throw error;
	}
	const signed = await checkpointOf(db, size);
	if (!signed || !signed.note.startsWith(`${parsed.text}\n`))
		throw new AppError('cosignatureNotOurs', { size });
	const known = await witnesses(db);
	const accepted: { witness: Witness; line: string; time: number }[] = [];
	for (const signature of parsed.signatures) {
		// Another key under a registered name is not that witness's: ignored, as unknown keys are.
		const witness = known.find(
			(w) => w.name === signature.name && parseVerifier(w.verifier).id.equals(signature.id)
		);
		if (!witness) continue;
		const time = cosignatureTime(parsed.text, signature, parseVerifier(witness.verifier));
		if (time === null) throw new AppError('cosignatureBad', { name: witness.name });
		accepted.push({ witness, line: signature.line, time });
	}
	if (accepted.length === 0) throw new AppError('cosignatureUnknownWitness');
	return db.transaction(async (tx) => {
		const fresh: string[] = [];
		for (const { witness, line, time } of accepted) {
			const [made] = await rows<{ witness_id: number }>(
				tx,
				sql`insert into log_cosignatures (witness_id, tree_size, line, cosigned_at)
					values (${witness.id}, ${size}, ${line}, to_timestamp(${time}))
					on conflict do nothing returning witness_id`
			);
			if (!made) continue;
			fresh.push(witness.name);
			await audit(
				tx,
				{ userId: null, email: `witness:${witness.name}`, scope: NATION_CODE },
				{
					action: 'log.cosign',
					subject: String(size),
					region: NATION_CODE,
					after: {
						witness: witness.label,
						treeSize: size,
						cosignedAt: new Date(time * 1000).toISOString(),
						receivedAt: new Date(now).toISOString()
					}
				}
			);
		}
		return { size, witnesses: fresh };
	});
}

/** The cosignature lines collected for a checkpoint size. */
export async function cosignatureLines(db: Database, size: number): Promise<string[]> {
	const found = await rows<{ line: string }>(
		db,
		sql`select line from log_cosignatures where tree_size = ${size} order by witness_id`
	);
	return found.map((r) => r.line);
}

/** A commit received before midnight may register its heartbeats a few milliseconds after it. */
const CLOSING_GRACE_MS = 60_000;

/**
 * The checkpoint that closes a day (the first signed a minute or more after `until`, the day's
 * end: it holds every heartbeat received that day; before it exists, the latest one), and which witnesses
 * cosigned it or a later one (a later cosignature vouches for everything before it).
 */
export async function witnessedBy(db: Database, until: number): Promise<Witnessed> {
	const [cp] = await rows<{ tree_size: string }>(
		db,
		sql`(select tree_size, 0 as rank from log_checkpoints where signed_at >= to_timestamp(${(until + CLOSING_GRACE_MS) / 1000})
				order by signed_at, tree_size limit 1)
			union all
			(select tree_size, 1 as rank from log_checkpoints order by tree_size desc limit 1)
			order by rank limit 1`
	);
	if (!cp) return { treeSize: null, witnesses: [] };
	const found = await rows<{ label: string; at: number }>(
		db,
		sql`select w.label, round(extract(epoch from min(c.received_at)) * 1000)::float8 as at
			from log_cosignatures c join log_witnesses w on w.id = c.witness_id
			where c.tree_size >= ${cp.tree_size} group by w.id, w.label order by w.label`
	);
	return {
		treeSize: Number(cp.tree_size),
		witnesses: found.map((w) => ({ label: w.label, at: w.at }))
	};
}
