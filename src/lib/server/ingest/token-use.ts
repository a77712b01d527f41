/**
 * Which device-token uses to write. A token's last-used time is kept to the minute: a use within
 * `precisionMs` of the last one queued is not written again, so a phone that syncs every few
 * seconds costs one row update a minute, not one per sync. Plain logic, times passed in.
 */
export class TokenUseLog {
	private pending = new Map<number, number>();
	/** When each token's use was last queued (only those within the precision). */
	private queued = new Map<number, number>();

	constructor(readonly precisionMs = 60_000) {}

	note(tokenId: number, at: number): void {
		const last = this.queued.get(tokenId);
		if (last !== undefined && at - last < this.precisionMs) return;
		this.queued.set(tokenId, at);
		this.pending.set(tokenId, at);
	}

	/** The uses to write now (token id → time); `restore` them if the write fails. */
	take(now: number): Map<number, number> {
		const taken = this.pending;
		this.pending = new Map();
		// Older entries no longer hold a use back; dropping them keeps the map to a minute's tokens.
		for (const [id, at] of this.queued) if (now - at >= this.precisionMs) this.queued.delete(id);
		return taken;
	}

	restore(uses: Map<number, number>): void {
		for (const [id, at] of uses) if (!this.pending.has(id)) this.pending.set(id, at);
	}

	/** Tokens remembered (for the memory bound's test). */
	get remembered(): number {
		return this.queued.size;
	}
}
