import type { LiftLockBody, LockView, PlaceLockBody } from "../../../contracts/governance";
import { GOVERNANCE_LIMITS } from "../../../contracts/governance";
import { LockNotFoundError, ServiceUnavailableError, ValidationError } from "../errors";
import { type LockRecord, lockHolds, lockMatches } from "../governance/locks";
import { chainEvent, type LedgerEvent, LOCK_LEDGER_ID, type LockEventType } from "../ledger";
import type { Principal } from "../principal";
import { sanitizeText } from "../sanitize";
import { cancelRequest } from "./approvals";
import type { LockDeps } from "./deps";
import { withoutUndefined } from "./transact";

/** Attempts at one lock change before giving up with a 503, as for task changes. */
const MAX_ATTEMPTS = 10;
/** Pending requests a lock placed with `cancel_pending` looks at. */
const MAX_CANCELLED = 1000;

type LockPlan = {
  event: Omit<LedgerEvent<LockEventType>, "task_id" | "seq" | "at" | "prev_hash" | "hash">;
  putLock?: LockRecord;
  deleteLockId?: string;
};

/**
 * Appends one event to the lock ledger and applies its change to the locks, in one transaction
 * conditioned on the ledger head: concurrent changes are serialized, and a lost race plans again.
 */
async function changeLocks<T>(
  deps: LockDeps,
  plan: (locks: readonly LockRecord[], now: Date) => { change?: LockPlan; result: T },
): Promise<T> {
  const store = deps.locks.store;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) await deps.sleeper.sleep(Math.floor(deps.random() * 20 * attempt));
    const [head, locks] = await Promise.all([store.head(), store.listLocks()]);
    const now = deps.clock.now();
    const planned = plan(locks, now);
    if (!planned.change) return planned.result;
    const { event, putLock, deleteLockId } = planned.change;
    const chained = chainEvent<LockEventType>(head.last_event_hash, {
      task_id: LOCK_LEDGER_ID,
      seq: head.version + 1,
      at: now.toISOString(),
      ...event,
      data: withoutUndefined({ ...event.data }),
    });
    const outcome = await store.commit({
      expected: head,
      event: chained,
      ...(putLock ? { putLock } : {}),
      ...(deleteLockId ? { deleteLockId } : {}),
    });
    if (outcome === "committed") {
      deps.locks.forget();
      return planned.result;
    }
  }
  throw new ServiceUnavailableError(new Error(`lost the lock ledger race ${MAX_ATTEMPTS} times`));
}

function toLockView(lock: LockRecord, cancelled?: number): LockView {
  return withoutUndefined({
    lock_id: lock.lock_id,
    target: lock.target,
    reason: lock.reason,
    placed_by: lock.placed_by,
    placed_at: lock.placed_at,
    expires_at: lock.expires_at,
    cancel_pending: lock.cancel_pending,
    cancelled_requests: cancelled,
  });
}

/**
 * An admin places a lock: from the moment it is committed every evaluation of a matching task is a
 * DENY (`source: "lock"`), and no request of one can be approved. With `cancel_pending`, the
 * matching tasks' PENDING requests are cancelled too.
 */
export async function placeLock(deps: LockDeps, admin: Principal, body: PlaceLockBody): Promise<LockView> {
  const reason = sanitizeText(body.reason, GOVERNANCE_LIMITS.maxLockReason);
  const placed = await changeLocks(deps, (locks, now) => {
    const holding = locks.filter((l) => lockHolds(l, now));
    if (holding.length >= GOVERNANCE_LIMITS.maxActiveLocks) {
      const message = `${holding.length} locks are in force, the most there may be; lift one (or lock "all") first`;
      throw new ValidationError(message, [{ field: "target", message }]);
    }
    const lock: LockRecord = withoutUndefined({
      lock_id: deps.ids.ulid(now),
      target: body.target,
      reason,
      placed_by: admin.id,
      placed_at: now.toISOString(),
      expires_at:
        body.expires_in_s === undefined
          ? undefined
          : new Date(now.getTime() + body.expires_in_s * 1000).toISOString(),
      cancel_pending: body.cancel_pending ?? false,
    });
    return {
      change: {
        event: {
          type: "lock.placed",
          actor: { kind: "human", id: admin.id },
          data: { ...lock },
        },
        putLock: lock,
      },
      result: lock,
    };
  });
  if (!placed.cancel_pending) return toLockView(placed);
  return toLockView(placed, await cancelPendingUnder(deps, placed));
}

/** Cancels the PENDING requests of the tasks a lock stops; returns how many it cancelled. */
async function cancelPendingUnder(deps: LockDeps, lock: LockRecord): Promise<number> {
  const live = await deps.tasks.listLivePending(deps.clock.now().toISOString(), MAX_CANCELLED);
  let cancelled = 0;
  for (const request of live) {
    // A repo lock is decided on the request's repo; an agent lock needs the task's agent.
    const agentId = lock.target.startsWith("agent:")
      ? (await deps.tasks.getTask(request.task_id))?.agent_id
      : "";
    if (agentId === undefined || !lockMatches(lock.target, { repo: request.repo, agent_id: agentId }))
      continue;
    const ended = await cancelRequest(deps, request.task_id, request.request_id, lock);
    if (ended) cancelled += 1;
  }
  return cancelled;
}

/** The locks in force, oldest first. */
export async function listLocks(deps: LockDeps): Promise<{ items: LockView[] }> {
  const locks = await deps.locks.active(deps.clock.now(), { fresh: true });
  return { items: locks.map((l) => toLockView(l)) };
}

/** An admin lifts a lock; evaluations it stopped are judged as before. */
export function liftLock(
  deps: LockDeps,
  admin: Principal,
  lockId: string,
  body: LiftLockBody,
): Promise<LockView> {
  const note =
    body.reason === undefined ? undefined : sanitizeText(body.reason, GOVERNANCE_LIMITS.maxLockReason);
  return changeLocks(deps, (locks, now) => {
    const lock = locks.find((l) => l.lock_id === lockId && lockHolds(l, now));
    if (!lock) throw new LockNotFoundError(lockId);
    return {
      change: {
        event: {
          type: "lock.lifted",
          actor: { kind: "human", id: admin.id },
          data: { lock_id: lock.lock_id, target: lock.target, by: admin.id, reason: note },
        },
        deleteLockId: lock.lock_id,
      },
      result: toLockView(lock),
    };
  });
}

/** The lock ledger, in sequence order. */
export async function listLockEvents(
  deps: LockDeps,
  afterSeq: number,
  limit: number,
): Promise<{ items: LedgerEvent<LockEventType>[]; next_after_seq?: number }> {
  const page = await deps.locks.store.listEvents(afterSeq, limit);
  const last = page.items.at(-1);
  return page.more && last ? { items: page.items, next_after_seq: last.seq } : { items: page.items };
}

/** Records and removes every lock past its expiry; the reconciler runs it. Returns how many. */
export async function sweepExpiredLocks(deps: LockDeps): Promise<number> {
  let swept = 0;
  for (;;) {
    const expired = await changeLocks(deps, (locks, now) => {
      const lock = locks.find((l) => !lockHolds(l, now));
      if (!lock) return { result: undefined };
      return {
        change: {
          event: {
            type: "lock.expired",
            actor: { kind: "system", id: "reconciler" },
            data: { lock_id: lock.lock_id, target: lock.target, expires_at: lock.expires_at },
          },
          deleteLockId: lock.lock_id,
        },
        result: lock,
      };
    });
    if (!expired) return swept;
    swept += 1;
  }
}
