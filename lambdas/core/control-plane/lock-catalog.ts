import { type LockRecord, lockHolds } from "../governance/locks";
import type { LockStore } from "../ports";

/**
 * The locks in force, as every evaluation needs them: read with strong consistency and kept for at
 * most `maxAgeMs`, so a lock placed by another process reaches evaluations within that time. A lock
 * placed or lifted through this process forgets the copy at once, so here it takes effect on the next
 * evaluation. A failed read throws (the evaluation then fails closed); a stale copy is never used.
 */
export class LockCatalog {
  private cached: { readonly at: number; readonly locks: readonly LockRecord[] } | undefined;
  /** Bumped by every forget; a read that started before one must not refill the copy. */
  private generation = 0;

  constructor(
    readonly store: LockStore,
    private readonly maxAgeMs: number,
    /** A monotonic clock in milliseconds. */
    private readonly elapsedMs: () => number,
  ) {}

  /** The locks that hold at `now`, oldest first; `fresh` skips the kept copy. */
  async active(now: Date, options: { readonly fresh?: boolean } = {}): Promise<readonly LockRecord[]> {
    const cached = this.cached;
    const started = this.elapsedMs();
    let locks: readonly LockRecord[];
    if (!options.fresh && cached && started - cached.at < this.maxAgeMs) {
      locks = cached.locks;
    } else {
      const generation = this.generation;
      locks = await this.store.listLocks();
      if (generation === this.generation) this.cached = { at: started, locks };
    }
    return locks.filter((lock) => lockHolds(lock, now));
  }

  /** Drops the kept copy after this process changed the locks. */
  forget(): void {
    this.generation += 1;
    this.cached = undefined;
  }
}
