/**
 * A running embedded server owns its database and DATA_DIR, and holds in memory what commands
 * change (roll-ups, the token cache), so the CLI does not start a second one. Instead the server
 * listens on a Unix socket inside DATA_DIR (mode 0600: only the user who runs the server can use
 * it) and runs CLI commands in-process. Protocol: the client sends one JSON line
 * `{"argv": [...]}`; the server answers JSON lines `{"line": "..."}` and a final
 * `{"exit": code, "error"?: "..."}`.
 */
import { chmodSync, rmSync } from 'node:fs';
import net from 'node:net';
import readline from 'node:readline';
import { runCommand, type CommandServices } from './commands';
import { describeError } from './describe-error';

export interface CommandSocket {
	close(): Promise<void>;
}

export async function listenForCommands(
	path: string,
	services: CommandServices
): Promise<CommandSocket> {
	// We hold the data folder's lock, so a socket file left here is from a dead server.
	rmSync(path, { force: true });
	// One command at a time, as at the command line.
	let queue = Promise.resolve();
	const server = net.createServer((connection) => {
		const lines = readline.createInterface({ input: connection });
		lines.once('line', (text) => {
			lines.close();
			const send = (message: object) => connection.write(JSON.stringify(message) + '\n');
			queue = queue.then(async () => {
				try {
					const { argv } = JSON.parse(text) as { argv: string[] };
					await runCommand({ ...services, out: (line) => send({ line }) }, argv);
					send({ exit: 0 });
				} catch (error) {
					send({ exit: 1, error: describeError(error) });
				}
				connection.end();
			});
		});
		connection.on('error', () => {});
	});
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(path, resolve);
	});
	chmodSync(path, 0o600);
	return {
		close: () =>
			new Promise<void>((resolve) => {
				server.close(() => resolve());
				rmSync(path, { force: true });
			})
	};
}

/** Sends a command to a running server; resolves with its exit code. */
export function sendCommand(
	path: string,
	argv: string[],
	print: (line: string) => void
): Promise<number> {
	return new Promise((resolve, reject) => {
		const connection = net.connect(path);
		connection.on('error', reject);
		connection.on('connect', () => connection.write(JSON.stringify({ argv }) + '\n'));
		let code = 1;
		readline.createInterface({ input: connection }).on('line', (text) => {
			const message = JSON.parse(text) as { line?: string; exit?: number; error?: string };
			if (message.line !== undefined) print(message.line);
			if (message.error) print(`error: ${message.error}`);
			if (message.exit !== undefined) code = message.exit;
		});
		connection.on('close', () => resolve(code));
	});
}
