import type { LockTarget } from "../../../contracts/governance";
import { layerCovers } from "../../../contracts/repo-id";
import { globMatches } from "../glob";

/** A lock an admin placed: while it holds, every evaluation of a matching task is a DENY. */
export interface LockRecord {
  readonly lock_id: string;
  readonly target: LockTarget;
  readonly reason: string;
  readonly placed_by: string;
  readonly placed_at: string;
  /** The lock stops holding at this time; absent means until it is lifted. */
  readonly expires_at?: string;
  readonly cancel_pending: boolean;
}

/** What a lock looks at. */
export interface LockedFacts {
  readonly repo: string;
  readonly agent_id: string;
}

/** Whether a lock still holds at `now`. */
export function lockHolds(lock: LockRecord, now: Date): boolean {
  return lock.expires_at === undefined || Date.parse(lock.expires_at) > now.getTime();
}

/** Whether a lock stops a task: `all`, a repo or layer covering the task's repo, or a glob of its agent. */
export function lockMatches(target: LockTarget, task: LockedFacts): boolean {
  if (target === "all") return true;
  if (target.startsWith("repo:")) return layerCovers(target.slice("repo:".length), task.repo);
  return globMatches(target.slice("agent:".length), task.agent_id);
}

/** The first lock, oldest first, that holds and stops the task. */
export function lockStopping(
  locks: readonly LockRecord[],
  task: LockedFacts,
  now: Date,
): LockRecord | undefined {
  return locks.find((lock) => lockHolds(lock, now) && lockMatches(lock.target, task));
}

/** A lock in words, for the reason an agent or approver is shown. */
export function describeLock(lock: LockRecord): string {
  return `lock ${lock.lock_id} on ${lock.target} by ${lock.placed_by}: ${lock.reason}`;
}
