/**
 * Background work on a timer: run now and every `ms`, never two runs at once (a slow run makes
 * the next one wait for the following tick), a failure logged and the next run going on.
 */
import { describe, logger } from './log';

export interface Periodic {
	/** Runs the work now, or answers the run already in flight, as the timer would. */
	run(): Promise<void>;
	/** No more runs (a run in flight goes on). */
	stop(): void;
	/** No more runs on the timer; then, after any run in flight, one last run (at shutdown). */
	finish(): Promise<void>;
}

export function every(ms: number, name: string, work: () => Promise<unknown>): Periodic {
	let running: Promise<void> | null = null;
	const run = () =>
		(running ??= work()
			.then(
				() => undefined,
				(error) => logger().error(`[${name}] failed: ${describe(error)}`)
			)
			.finally(() => {
				running = null;
			}));
	const timer = setInterval(() => void run(), ms);
	timer.unref();
	return {
		run,
		stop: () => clearInterval(timer),
		async finish() {
			clearInterval(timer);
			await running;
			await run();
		}
	};
}
