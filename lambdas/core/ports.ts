import type { LockRecord } from "./governance/locks";
import type { LedgerEvent, LockEventType } from "./ledger";
import type {
  ApprovalRecord,
  InboxRow,
  PolicyVersionRecord,
  SettingsVersionRecord,
  TaskRecord,
} from "./records";

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
  /** Requests that stay PENDING with one more vote (must still be PENDING). */
  readonly voteApprovals?: readonly ApprovalRecord[];
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
  /** The most items one change may write (DynamoDB: 100 per transaction); the pipeline keeps closes within it. */
  readonly maxItemsPerChange: number;
  getTask(taskId: string): Promise<TaskRecord | undefined>;
  commit(change: TaskChange): Promise<CommitResult>;
  getApproval(taskId: string, requestId: string): Promise<ApprovalRecord | undefined>;
  listEvents(
    taskId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ items: LedgerEvent[]; more: boolean }>;
  /**
   * PENDING requests in any of the inboxes (a human's own, then its groups') with a deadline after
   * `notBefore`, soonest first, each request once, starting after the row at `after` (a position
   * this store returned). A position that `notBefore` has passed since starts at the first row
   * still open, which is where its next page now begins.
   */
  listInbox(
    approverIds: readonly string[],
    notBefore: string,
    options: { limit: number; after?: string; repo?: string },
  ): Promise<InboxPage>;
  /** PENDING requests whose deadline is before `now`, for the reconciler. */
  listExpiredPending(now: string, limit: number): Promise<Pick<ApprovalRecord, "task_id" | "request_id">[]>;
  /** PENDING requests whose deadline is after `now`, with their repo, for locks that cancel them. */
  listLivePending(
    now: string,
    limit: number,
  ): Promise<Pick<ApprovalRecord, "task_id" | "request_id" | "repo">[]>;
}

/** Published settings versions of layers (`*`, `owner/*`, repos). */
export interface SettingsStore {
  latest(layer: string): Promise<SettingsVersionRecord | undefined>;
  /** Puts a new version; "exists" when that version number was taken meanwhile. */
  put(record: SettingsVersionRecord): Promise<"created" | "exists">;
}

/** The head of the lock ledger: its last seq and hash. */
export interface LedgerHead {
  readonly version: number;
  readonly last_event_hash: string;
}

/** One change to the locks, written as one transaction with its audit event. */
export interface LockChange {
  /** The head read before the change; the commit fails if another change moved it. */
  readonly expected: LedgerHead;
  readonly event: LedgerEvent<LockEventType>;
  readonly putLock?: LockRecord;
  readonly deleteLockId?: string;
}

/** Locks in force and their audit ledger. Reads are strongly consistent. */
export interface LockStore {
  /** Every lock not yet lifted (expired ones included), oldest first. */
  listLocks(): Promise<LockRecord[]>;
  head(): Promise<LedgerHead>;
  commit(change: LockChange): Promise<CommitResult>;
  listEvents(
    afterSeq: number,
    limit: number,
  ): Promise<{ items: LedgerEvent<LockEventType>[]; more: boolean }>;
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
