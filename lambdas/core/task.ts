import type { TaskFacts } from "./policy/cedar-request";

/** Every status a task can be in. */
export const TASK_STATUSES = [
  "RUNNING",
  "AWAITING_APPROVAL",
  "COMPLETED",
  "FAILED",
  "CANCELLED",
  "TIMED_OUT",
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

/** Statuses in which a task may still make tool calls. */
export const ACTIVE_STATUSES: ReadonlySet<TaskStatus> = new Set(["RUNNING", "AWAITING_APPROVAL"]);

export function isActive(status: TaskStatus): boolean {
  return ACTIVE_STATUSES.has(status);
}

/** Who really granted a scope. */
export interface Grantor {
  readonly kind: "agent" | "human" | "policy";
  readonly id: string;
}

/** A scope granted for the rest of the task, in canonical text. */
export interface Grant {
  readonly scope: string;
  readonly granted_by: Grantor;
  readonly granted_at: string;
  readonly request_id?: string;
  /** Every approver of the granting request, when it needed more than one. */
  readonly approved_by?: readonly string[];
}

/** How long a denial blocks the same call, and the window of the per-task request limit. */
export const RECENT_WINDOW_MS = 60_000;

/** An approval that ended in a denial, remembered briefly so an agent cannot re-ask at once. */
export interface RecentDenial {
  readonly tool_name: string;
  readonly input_sha256: string;
  readonly rule_ids: readonly string[];
  readonly status: "DENIED" | "TIMED_OUT";
  readonly at: string;
}

export interface TaskCounters {
  readonly tool_calls: number;
  readonly approvals_requested: number;
}

/** Everything the evaluation pipeline needs to know about a task, as read from its item. */
export interface TaskSnapshot extends TaskFacts {
  readonly status: TaskStatus;
  /** Humans who may decide the task's requests; the owner is among them only when settings allow. */
  readonly approvers: readonly string[];
  /** Identity groups whose members may decide them too. */
  readonly approver_groups: readonly string[];
  /** Approvals a request needs unless a matched rule asks for more. */
  readonly approvals_required: number;
  readonly approval_timeout_s: number;
  readonly approval_gate_cap: number;
  readonly max_tool_calls: number;
  readonly counters: TaskCounters;
  readonly grants: readonly Grant[];
  readonly recent_denials: readonly RecentDenial[];
  /** Creation times of recent approval requests, for the per-task request rate limit. */
  readonly recent_request_times: readonly string[];
  /** The task's PENDING requests, oldest first. */
  readonly pending_request_ids: readonly string[];
}

/** Settings a task gets when its creator does not choose them. */
export const TASK_DEFAULTS = {
  approval_timeout_s: 300,
  approval_gate_cap: 50,
  max_tool_calls: 10_000,
} as const;

/** A RUNNING task with default settings and nothing recorded yet: dry runs judge calls as if on one. */
export function freshTaskSnapshot(facts: TaskFacts, overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    ...facts,
    status: "RUNNING",
    approvers: [facts.owner],
    approver_groups: [],
    approvals_required: 1,
    ...TASK_DEFAULTS,
    counters: { tool_calls: 0, approvals_requested: 0 },
    grants: [],
    recent_denials: [],
    recent_request_times: [],
    pending_request_ids: [],
    ...overrides,
  };
}
