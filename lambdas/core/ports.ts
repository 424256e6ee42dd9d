import type { LedgerEvent } from "./ledger";
import type { ApprovalRecord, InboxRow, PolicyVersionRecord, TaskRecord } from "./records";

/**
 * One state change of a task, written as a single transaction: the task under its version
 * condition, the next ledger event, and every other item the change touches.
 */
export interface TaskChange {
  /** The version the change was computed from; undefined when the change creates the task. */
  readonly expectedVersion: number | undefined;
  readonly task: TaskRecord;
  readonly event: LedgerEvent;
  /** New requests (must not exist yet). */
  readonly createApprovals?: readonly ApprovalRecord[];
  /** Ended requests (must still be PENDING). */
  readonly endApprovals?: readonly ApprovalRecord[];
  readonly putInbox?: readonly InboxRow[];
  readonly deleteInbox?: readonly Pick<InboxRow, "approver_id" | "task_id" | "request_id" | "expires_at">[];
}

/** Why a transaction was refused; the caller re-reads and decides again. */
export type CommitResult = "committed" | "conflict";

/** One page of an approver's inbox. */
export interface InboxPage {
  readonly items: readonly InboxRow[];
  /** Where the next page starts (the last row's sort key); absent on the last page. */
  readonly after?: string;
}

/** The task data plane. Reads are strongly consistent. Failures of DynamoDB throw ServiceUnavailableError. */
export interface TaskStore {
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  commit(change: TaskChange): Promise<CommitResult>;
  getApproval(taskId: string, requestId: string): Promise<ApprovalRecord | undefined>;
  listEvents(
    taskId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ items: LedgerEvent[]; more: boolean }>;
  /**
   * PENDING requests of an approver with a deadline after `notBefore`, soonest first, starting after
   * the row at `after` (a position this store returned). A position that `notBefore` has passed since
   * starts at the first row still open, which is where its next page now begins.
   */
  listInbox(
    approverId: string,
    notBefore: string,
    options: { limit: number; after?: string; repo?: string },
  ): Promise<InboxPage>;
  /** PENDING requests whose deadline is before `now`, for the reconciler. */
  listExpiredPending(now: string, limit: number): Promise<Pick<ApprovalRecord, "task_id" | "request_id">[]>;
}

export interface PolicyStore {
  latest(repoId: string): Promise<PolicyVersionRecord | undefined>;
  get(repoId: string, version: number): Promise<PolicyVersionRecord | undefined>;
  /** Puts a new version; "exists" when that version number was taken meanwhile. */
  put(record: PolicyVersionRecord): Promise<"created" | "exists">;
}

export interface RateLimiter {
  /** Counts one hit in the current fixed window of `windowS`; refuses past `limit`. */
  hit(
    key: string,
    limit: number,
    windowS: number,
    now: Date,
  ): Promise<{ allowed: boolean; retryAfterS: number }>;
  /**
   * Takes back one hit counted in the window `now` falls in (pass the `now` of the hit), for a
   * counted attempt that turned out not to count, such as a success where only failures do.
   */
  refund(key: string, windowS: number, now: Date): Promise<void>;
}

/** The secret that signs page tokens, the same in every process of a deployment. */
export interface SigningKey {
  /** The key's bytes; a key that cannot be read throws ServiceUnavailableError. */
  get(): Promise<Uint8Array>;
}

export interface Clock {
  now(): Date;
}

export interface Sleeper {
  sleep(ms: number): Promise<void>;
}

export interface IdGenerator {
  /** A new ULID for the given time. */
  ulid(now: Date): string;
}
