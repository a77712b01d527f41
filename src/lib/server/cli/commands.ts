/**
 * CLI commands. Each parses its options and calls a verb (a feature's *-verbs.ts) as the operator
 * (`cli`), against an open database, writing lines through `out`: the same code serves
 * `npm run cli` directly and through a running embedded server's socket (where the server's event
 * bus hears of revocations and imports at once). A refused change is an AppError, printed in
 * English as one line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { isLocalDate, ZONES } from '../../domain/calendar';
import { isTpsCode } from '../../domain/codes';
import { rows, type DatabaseHandle } from '../platform/db/client';
import { withinRegion } from '../platform/db/sql';
import { config, describeConfig } from '../platform/env';
import type { EventBus } from '../platform/events';
import { previewImport, readRosterFile } from '../roster/import';
import { levelCounts, seed } from '../geography/seed';
import { CLI } from '../accounts/actor';
import { changeAccount, createAccount, issueApiToken } from '../accounts/account-verbs';
import { archiveLog, restoreLog } from '../evidence/archive-verbs';
import { enrolPhones, revokePhone } from '../roster/enrol-verbs';
import { importRoster } from '../roster/import-verbs';
import { freezeOnDemand } from '../history/freeze-verbs';
import { verifyDay } from '../evidence/verify';
import { addWitness } from '../evidence/witnesses';
import { verifyLogDay } from '../evidence/log-verify';
import { logKeys } from '../evidence/checkpoints';
import { parseVerifier } from '../../domain/note';
import { offlineCommands } from './log-commands';
import { parseOptions, UsageError } from './usage-error';

export interface CommandServices {
	handle: DatabaseHandle;
	/** Present when the command runs inside a server: its caches and roll-ups hear of the change. */
	bus?: EventBus;
	now?: () => number;
}

export interface CommandContext extends CommandServices {
	out: (line: string) => void;
}

export { UsageError };

interface Command {
	summary: string;
	usage: string;
	run(ctx: CommandContext, args: string[]): Promise<void>;
}

const numbers = new Intl.NumberFormat('en-US');

export const commands: Record<string, Command> = {
	'user:add': {
		summary: 'create an account (roles: admin, leader, coordinator, observer)',
		usage: 'user:add --email e --password p --role r --region code [--name n]',
		async run({ handle, out }, args) {
			const { values } = parseOptions(args, {
				email: { type: 'string' },
				password: { type: 'string' },
				role: { type: 'string' },
				region: { type: 'string' },
				name: { type: 'string' }
			});
			for (const key of ['email', 'password', 'role', 'region'] as const) {
				if (!values[key]) throw new UsageError(`--${key} is required`);
			}
			const user = await createAccount(handle.db, CLI, {
				email: values.email!,
				password: values.password!,
				role: values.role!,
				scope: values.region!,
				name: values.name
			});
			out(`created ${user.role} ${user.email} with scope ${user.scope}`);
		}
	},
	'user:disable': {
		summary: 'disable an account and end its sessions',
		usage: 'user:disable --email e',
		async run({ handle, out }, args) {
			const email = parseOptions(args, { email: { type: 'string' } }).values.email;
			if (!email) throw new UsageError('--email is required');
			const user = await changeAccount(handle.db, CLI, email, { disabled: true });
			out(`disabled ${user.email}`);
		}
	},
	'apitoken:issue': {
		summary: "issue a read-only API token with the account's scope",
		usage: 'apitoken:issue --email e [--label text] [--days 90]',
		async run({ handle, out }, args) {
			const { values } = parseOptions(args, {
				email: { type: 'string' },
				label: { type: 'string' },
				days: { type: 'string' }
			});
			if (!values.email) throw new UsageError('--email is required');
			const days = values.days === undefined ? undefined : Number(values.days);
			const { token, user, expiresAt } = await issueApiToken(
				handle.db,
				CLI,
				values.email,
				values.label ?? 'cli',
				days
			);
			out(
				`Read-only API token for ${user.email} (scope ${user.scope}), valid until ${expiresAt.toISOString()}; shown once:`
			);
			out(token);
		}
	},
	'token:issue': {
		summary: "issue a device token for a TPS's Pantarlih (revokes their older ones)",
		usage: 'token:issue --tps <13-digit code>',
		async run({ handle, bus, out }, args) {
			const tps = requireTps(parseOptions(args, { tps: { type: 'string' } }).values.tps);
			const [issued] = await enrolPhones({ db: handle.db, bus }, CLI, [tps], tps);
			out(
				`Device token for ${issued.pantarlihName} (Pantarlih of TPS ${issued.tpsCode}); shown once:`
			);
			out(issued.token);
		}
	},
	'token:bulk': {
		summary:
			'issue device tokens for the TPS under a region that have no enrolled phone; writes tps,token CSV (mode 0600). --replace also revokes and replaces the tokens of enrolled phones',
		usage: 'token:bulk --region <code> --out <file> [--replace]',
		async run({ handle, bus, out }, args) {
			const { values } = parseOptions(args, {
				region: { type: 'string' },
				out: { type: 'string' },
				replace: { type: 'boolean' }
			});
			if (!values.region || !/^(id|\d{2}(\d{2}(\d{2}(\d{4})?)?)?)$/.test(values.region)) {
				throw new UsageError(
					'--region <id for the nation, or a province, regency, district or village code> is required'
				);
			}
			if (!values.out) throw new UsageError('--out <file> is required');
			const all = await rows<{ code: string; enrolled: boolean }>(
				handle.db,
				sql`select t.code, exists (select 1 from device_tokens d
						where d.tps_code = t.code and d.revoked_at is null) as enrolled
					from tps t ${values.region === 'id' ? sql`` : sql`where ${withinRegion(sql`t.code`, values.region)}`}
					order by t.code`
			);
			if (all.length === 0) throw new UsageError(`no TPS under region ${values.region}`);
			const enrolled = all.filter((t) => t.enrolled).length;
			if (enrolled > 0 && values.replace)
				out(
					`revoking the tokens of ${numbers.format(enrolled)} enrolled phone(s) under ${values.region}: they stop syncing until they scan their new QR code`
				);
			// Without --replace the verb itself leaves enrolled phones alone (also one enrolled
			// since the count above); the count only says what to expect.
			const lines = ['tps,token'];
			for (let i = 0; i < all.length; i += 20_000) {
				const chunk = all.slice(i, i + 20_000).map((t) => t.code);
				const issued = await enrolPhones({ db: handle.db, bus }, CLI, chunk, values.region, {
					onlyUnenrolled: !values.replace
				});
				for (const t of issued) lines.push(`${t.tpsCode},${t.token}`);
			}
			const count = lines.length - 1;
			writeFileSync(values.out, lines.join('\n') + '\n', { mode: 0o600 });
			out(
				`issued ${numbers.format(count)} device token(s) under ${values.region} into ${values.out}`
			);
			if (!values.replace && all.length > count)
				out(
					`left ${numbers.format(all.length - count)} TPS whose phone is already enrolled as they were (--replace revokes their tokens and issues new ones)`
				);
		}
	},
	'token:revoke': {
		summary: "revoke every device token of a TPS's Pantarlih",
		usage: 'token:revoke --tps <13-digit code>',
		async run({ handle, bus, out }, args) {
			const tps = requireTps(parseOptions(args, { tps: { type: 'string' } }).values.tps);
			const count = await revokePhone({ db: handle.db, bus }, CLI, tps);
			out(`revoked ${count} device token(s) of TPS ${tps}`);
		}
	},
	'snapshot:freeze': {
		summary: "freeze a zone's regions for a local date now (once; --correct adds a correction row)",
		usage: 'snapshot:freeze --date YYYY-MM-DD [--zone WIB|WITA|WIT] [--correct "reason"]',
		async run({ handle, out }, args) {
			const { values } = parseOptions(args, {
				date: { type: 'string' },
				zone: { type: 'string' },
				correct: { type: 'string' }
			});
			if (!values.date || !isLocalDate(values.date))
				throw new UsageError('--date YYYY-MM-DD is required');
			const zones = values.zone ? [ZONES[values.zone as keyof typeof ZONES]] : Object.values(ZONES);
			if (zones.some((z) => !z)) throw new UsageError('--zone must be WIB, WITA or WIT');
			if (values.correct !== undefined && values.correct.trim() === '')
				throw new UsageError('--correct needs a reason');
			for (const { zone, written } of await freezeOnDemand(
				handle.db,
				CLI,
				zones,
				values.date,
				values.correct?.trim()
			))
				out(`${zone} ${values.date}: ${written} region row(s) written`);
		}
	},
	'evidence:verify': {
		summary:
			"recompute a frozen day's digests from the heartbeat log and compare them with the frozen ones, region by region",
		usage: 'evidence:verify --date YYYY-MM-DD [--region <code>] [--key <vkey>]',
		async run({ handle, out }, args) {
			const { values } = parseOptions(args, {
				date: { type: 'string' },
				region: { type: 'string' },
				key: { type: 'string' }
			});
			if (!values.date || !isLocalDate(values.date))
				throw new UsageError('--date YYYY-MM-DD is required');
			const region = values.region ?? 'id';
			if (!/^(id|\d{2}|\d{4}|\d{6}|\d{10})$/.test(region))
				throw new UsageError('--region takes id or a province, regency, district or village code');
			const provinces = (
				await rows<{ code: string }>(
					handle.db,
					sql`select code from regions where level = 'province' order by code`
				)
			).map((r) => r.code);
			// A day whose heartbeats are in archive files cannot be recomputed from the log.
			const away = (
				await rows<{ day: string; action: string }>(
					handle.db,
					sql`select distinct on (day) day::text as day, action from log_archives
						order by day, id desc`
				)
			)
				.filter((a) => a.action === 'archive')
				.map((a) => a.day);
			if (away.some((day) => day >= values.date!))
				out(
					`note: the log of ${away[0]} to ${away.at(-1)} is archived (log_archives); put it back with log:restore to verify ${values.date} from the log`
				);
			const verdicts = await verifyDay(handle.db, provinces, values.date, region);
			const different = verdicts.filter((v) => !v.equal);
			// A region and the level below it in full; deeper levels only where something differs.
			const shown = verdicts.filter(
				(v) => !v.equal || v.code === region || v.code.length <= Math.max(2, region.length + 2)
			);
			for (const v of shown) {
				const what = v.equal
					? `equal (${numbers.format(v.now.heartbeats)} heartbeats, ${v.now.digest ?? 'none'})`
					: v.stored === null
						? `different: never frozen with a digest; the log now gives ${numbers.format(v.now.heartbeats)} heartbeats, ${v.now.digest ?? 'none'}`
						: `different: frozen ${numbers.format(v.stored.heartbeats)} heartbeats, ${v.stored.digest ?? 'none'}; the log now gives ${numbers.format(v.now.heartbeats)}, ${v.now.digest ?? 'none'}`;
				out(`${v.code.padEnd(10)} ${what}`);
			}
			out(
				`${values.date}: ${numbers.format(verdicts.length - different.length)} region(s) equal, ${numbers.format(different.length)} different`
			);
			// The transparency log: the day's rows against the tree, the tree against its signature.
			const keys = values.key
				? [parseVerifier(values.key)]
				: (await logKeys(handle.db)).map((k) => parseVerifier(k.verifier));
			const log = await verifyLogDay(handle.db, values.date, keys);
			for (const p of log.problems.slice(0, 100))
				out(
					`log: ${p.kind} heartbeat ${p.id} of TPS ${p.tps}, recorded ${p.day}${p.index === null ? ', not in the log' : `, log index ${p.index}`}`
				);
			out(
				`log ${values.date}: ${numbers.format(log.checked)} heartbeat(s) checked against the tree, ${numbers.format(log.problems.length)} problem(s)${log.waiting ? `, ${numbers.format(log.waiting)} not sequenced yet` : ''}; tree of ${numbers.format(log.tree.size)}: ${log.tree.ok ? 'equal to its signed checkpoint' : log.tree.reason}${values.key ? ' (pinned key)' : ' (keys as the database lists them; pin one with --key)'}`
			);
			for (const d of log.days)
				out(
					`log ${values.date} ${d.zone}: ${d.ok ? "the day's digests equal its signed note" : d.reason}`
				);
			if (different.length > 0) throw new UsageError(`${different.length} region(s) differ`);
			if (log.problems.length > 0 || !log.tree.ok || log.days.some((d) => !d.ok))
				throw new UsageError(`the log does not match its rows or its signature`);
		}
	},
	'witness:add': {
		summary: "register an observer's witness key, so that the log keeps its cosignatures (audited)",
		usage: 'witness:add --verifier <vkey> --label <who>',
		async run({ handle, out }, args) {
			const { values } = parseOptions(args, {
				verifier: { type: 'string' },
				label: { type: 'string' }
			});
			if (!values.verifier || !values.label)
				throw new UsageError('--verifier <name+id+key> and --label <who runs it> are required');
			const witness = await addWitness(handle.db, CLI, {
				verifier: values.verifier,
				label: values.label
			});
			out(`witness ${witness.name} (${witness.label}) registered`);
		}
	},
	'log:archive': {
		summary:
			'move the closed days of the heartbeat log before a date into compressed files (one per day, with its SHA-256), out of the database',
		usage: 'log:archive --before YYYY-MM-DD --to <folder>',
		async run({ handle, out, now }, args) {
			const { values } = parseOptions(args, { before: { type: 'string' }, to: { type: 'string' } });
			if (!values.before || !isLocalDate(values.before))
				throw new UsageError('--before YYYY-MM-DD is required');
			if (!values.to) throw new UsageError('--to <folder> is required');
			const folder = path.resolve(values.to);
			const { archived, heldBack } = await archiveLog(
				{ db: handle.db, now: now ?? Date.now },
				CLI,
				{ before: values.before, folder }
			);
			for (const m of archived)
				out(
					`${m.day}: ${numbers.format(m.rows)} heartbeats into ${path.join(folder, m.file)} (SHA-256 ${m.sha256})`
				);
			if (heldBack)
				out(
					`kept ${heldBack.day} and later in the database: ${numbers.format(heldBack.heartbeats)} heartbeat(s) received across the line tie them to it`
				);
		}
	},
	'log:restore': {
		summary:
			'put an archived day of the heartbeat log back into the database (checked against its SHA-256)',
		usage: 'log:restore --file <folder>/heartbeats-YYYY-MM-DD.ndjson.gz',
		async run({ handle, out, now }, args) {
			const { values } = parseOptions(args, { file: { type: 'string' } });
			if (!values.file) throw new UsageError('--file is required');
			const {
				day,
				rows: count,
				inserted
			} = await restoreLog({ db: handle.db, now: now ?? Date.now }, CLI, path.resolve(values.file));
			out(
				`${day}: ${numbers.format(inserted)} of ${numbers.format(count)} heartbeats restored (${numbers.format(count - inserted)} were there already)`
			);
		}
	},
	import: {
		summary:
			'import TPS targets and Pantarlih rosters from CSV or XLSX (nothing unless the file is clean)',
		usage: 'import <file.csv|file.xlsx> [--valid-only] [--dry-run]',
		async run({ handle, bus, out }, args) {
			const { values, positionals } = parseArgs({
				args,
				allowPositionals: true,
				options: { 'valid-only': { type: 'boolean' }, 'dry-run': { type: 'boolean' } }
			});
			const file = positionals[0];
			if (!file) throw new UsageError('the file to import is required');
			const started = performance.now();
			const preview = await previewImport(
				handle.db,
				await readRosterFile(file, readFileSync(file)),
				CLI.scope
			);
			out(
				`${file}: ${numbers.format(preview.rows)} rows, ${numbers.format(preview.changes.length)} to change (${numbers.format(preview.targets)} targets, ${numbers.format(preview.people)} Pantarlih), ${numbers.format(preview.unchanged)} unchanged, ${numbers.format(preview.errors.length)} with errors`
			);
			for (const e of preview.errors.slice(0, 50)) out(`  row ${e.row}, ${e.column}: ${e.message}`);
			if (preview.errors.length > 50) out(`  … and ${preview.errors.length - 50} more`);
			if (values['dry-run']) return out('dry run: nothing written');
			if (preview.errors.length > 0 && !values['valid-only'])
				throw new UsageError(
					'nothing imported: fix the rows above, or pass --valid-only to import the others'
				);
			const applied = await importRoster(
				{ db: handle.db, bus },
				CLI,
				file,
				preview,
				!!values['valid-only']
			);
			out(
				`imported ${numbers.format(applied)} change(s) in ${((performance.now() - started) / 1000).toFixed(1)} s`
			);
		}
	},
	config: {
		summary: 'print the effective configuration (secrets masked)',
		usage: 'config',
		async run({ out }) {
			for (const line of describeConfig(config())) out(line);
		}
	},
	seed: {
		summary: 'load the 2024 hierarchy and simulated people (idempotent)',
		usage: 'seed [--provinces 35,31]',
		async run({ handle, out }, args) {
			const { values } = parseOptions(args, { provinces: { type: 'string' } });
			const provinces = values.provinces?.split(',').map((code) => code.trim());
			if (provinces?.some((code) => !/^\d{2}$/.test(code))) {
				throw new UsageError('--provinces takes two-digit codes separated by commas, e.g. 35,31');
			}
			await seed(handle, { provinces, log: out });
		}
	},
	stats: {
		summary: 'print counts per level',
		usage: 'stats',
		async run({ handle, out }, args) {
			parseOptions(args, {});
			const counts = await levelCounts(handle);
			for (const [name, value] of Object.entries(counts)) {
				out(`${name.padEnd(10)} ${numbers.format(value).padStart(9)}`);
			}
		}
	}
};

function requireTps(value: string | undefined): string {
	if (!value || !isTpsCode(value)) throw new UsageError('--tps <13-digit TPS code> is required');
	return value;
}

export function helpText(): string {
	const lines = [...Object.values(commands), ...Object.values(offlineCommands)].map(
		(c) => `  ${c.usage.padEnd(34)} ${c.summary}`
	);
	return ['Usage: npm run cli -- <command> [options]', '', 'Commands:', ...lines].join('\n');
}

export async function runCommand(ctx: CommandContext, argv: string[]): Promise<void> {
	const [name, ...args] = argv;
	const command = commands[name];
	if (!command)
		throw new UsageError(`unknown command ${JSON.stringify(name ?? '')}\n\n${helpText()}`);
	await command.run(ctx, args);
}
