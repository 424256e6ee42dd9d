import { ServiceUnavailableError } from "../errors";
import { type Actor, chainEvent, type EventType, type LedgerEvent } from "../ledger";
import type { TaskChange } from "../ports";
import type { TaskRecord } from "../records";
import type { ControlPlaneDeps } from "./deps";

/** What a planner decided: optionally a change to commit, and the value to return once it is committed. */
export interface Plan<T> {
  readonly change?: TaskChange;
  readonly result: T;
}

/** Attempts at one change before giving up with a 503; each lost race costs one read and one transaction. */
export const MAX_ATTEMPTS = 25;
const BASE_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

/**
 * Reads a task, lets `plan` decide the change from that snapshot, and commits it as one
 * transaction conditioned on the version read. A lost race re-reads and plans again, with
 * jittered backoff, a bounded number of times; then the caller gets SERVICE_UNAVAILABLE.
 * `plan` may throw a GatesError to refuse the change.
 */
export async function changeTask<T>(
  deps: Pick<ControlPlaneDeps, "tasks" | "clock" | "sleeper" | "random">,
  taskId: string,
  plan: (task: TaskRecord | undefined, now: Date) => Promise<Plan<T>> | Plan<T>,
): Promise<T> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (attempt > 0) {
      const cap = Math.min(MAX_BACKOFF_MS, BASE_BACKOFF_MS * 2 ** attempt);
      await deps.sleeper.sleep(Math.floor(deps.random() * cap));
    }
    const task = await deps.tasks.getTask(taskId);
    const planned = await plan(task, deps.clock.now());
    if (!planned.change) return planned.result;
    if ((await deps.tasks.commit(planned.change)) === "committed") return planned.result;
  }
  throw new ServiceUnavailableError(
    new Error(`lost the version race on task ${taskId} ${MAX_ATTEMPTS} times`),
  );
}

/**
 * The next event on a task's chain, and the task advanced to it: version and seq move
 * together, and the task remembers the new chain head.
 */
export function appendEvent(
  task: TaskRecord,
  updated: Omit<TaskRecord, "version" | "last_event_hash" | "updated_at">,
  type: EventType,
  actor: Actor,
  data: Record<string, unknown>,
  now: Date,
): { task: TaskRecord; event: LedgerEvent } {
  const at = now.toISOString();
  const event = chainEvent(task.last_event_hash, {
    task_id: task.task_id,
    seq: task.version + 1,
    type,
    at,
    actor,
    data: withoutUndefined(data),
  });
  return {
    task: { ...updated, version: event.seq, last_event_hash: event.hash, updated_at: at },
    event,
  };
}

/** Absent optional fields are omitted from events, never stored as null or undefined. */
export function withoutUndefined<T extends Record<string, unknown>>(data: T): T {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) if (v !== undefined) out[k] = v;
  return out as T;
}
