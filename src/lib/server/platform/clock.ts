/**
 * The server's idea of "now" for everything the coklit calendar depends on: which day's target
 * applies, whether a heartbeat comes from the future, when it was received. In production it is
 * the real clock. The demo (DEMO=1 with CLOCK_SPEED above 1) runs a compressed clock, so that a
 * day of coklit passes in minutes; it is saved in demo_clock and resumes where it stopped. Session
 * expiry and other security timing always use the real clock.
 */
import { eq } from 'drizzle-orm';
import type { Database } from './db/client';
import { demoClock } from './db/schema';

export interface Clock {
	/** Milliseconds since the epoch, on this clock. */
	now(): number;
	/** Simulated seconds per real second (1 in production). */
	readonly speed: number;
}

export const realClock: Clock = { now: () => Date.now(), speed: 1 };

/** A clock that started at `startAt` (simulated) when the real clock read `realAt`. */
export function compressedClock(startAt: number, speed: number, realAt = Date.now()): Clock {
	return { now: () => startAt + (Date.now() - realAt) * speed, speed };
}

/**
 * The demo clock: resumes from the saved simulated time, or starts on the morning of the
 * campaign's day `startDay` (07:00 WIB, 08:00 WITA, 09:00 WIT). `save` writes where it is, for the
 * next start.
 */
export async function openDemoClock(
	db: Database,
	speed: number,
	campaign: { firstDay: string },
	startDay: number
): Promise<{ clock: Clock; save(): Promise<void> }> {
	const firstStart = Date.parse(`${campaign.firstDay}T00:00:00Z`) + (startDay - 1) * 86_400_000;
	const [saved] = await db.select().from(demoClock).where(eq(demoClock.id, 1));
	const clock = compressedClock(saved ? saved.simulatedAt.getTime() : firstStart, speed);
	const save = async () => {
		const row = { id: 1, simulatedAt: new Date(clock.now()), speed, savedAt: new Date() };
		await db.insert(demoClock).values(row).onConflictDoUpdate({ target: demoClock.id, set: row });
	};
	await save();
	return { clock, save };
}
