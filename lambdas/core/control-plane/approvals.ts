import { type ApprovalView, LIMITS, type Via } from "../../../contracts/api";
import {
  AlreadyVotedError,
  ForbiddenError,
  LockedError,
  RateLimitedError,
  RequestAlreadyDecidedError,
  RequestNotFoundError,
  SeparationOfDutiesError,
  TaskNotActiveError,
  ValidationError,
} from "../errors";
import { type LockRecord, lockStopping } from "../governance/locks";
import { approvedBy, narrowestScope, quorumProgress, type Vote } from "../governance/quorum";
import type { Actor } from "../ledger";
import type { Principal } from "../principal";
import type { ApprovalRecord, TaskRecord } from "../records";
import { sanitizeLine, sanitizeText } from "../sanitize";
import { parseScope } from "../scopes";
import { isActive } from "../task";
import { requireApprover, requireOwnAgent } from "./access";
import type { ControlPlaneDeps, DecisionDeps } from "./deps";
import { requireFreshSignIn } from "./fresh-sign-in";
import { withOpenCall } from "./outcomes";
import { type EndStatus, endApproval, inboxKeysOf, inboxRowsOf, rememberDenial } from "./request-lifecycle";
import { appendEvent, changeTask, type Plan } from "./transact";
import { toApprovalView } from "./views";

/** Decisions per human per minute. */
export const DECISIONS_PER_MINUTE = 60;

/**
 * Times out a request whose deadline has passed; a no-op for one that is decided or not yet
 * due. Idempotent and safe to run concurrently: the task version decides who writes.
 */
export function timeOutRequest(
  deps: ControlPlaneDeps,
  taskId: string,
  requestId: string,
): Promise<ApprovalRecord> {
  return changeTask(deps, taskId, async (task, now) => {
    const approval = task ? await deps.tasks.getApproval(taskId, requestId) : undefined;
    if (!task || !approval) throw new RequestNotFoundError(taskId, requestId);
    if (approval.status !== "PENDING" || Date.parse(approval.expires_at) > now.getTime())
      return { result: approval };
    return timeOut(task, approval, now);
  });
}

/** A request past its deadline ends TIMED_OUT, by the system: a timeout is a denial, never an approval. */
function timeOut(task: TaskRecord, approval: ApprovalRecord, now: Date): Plan<ApprovalRecord> {
  return endRequest(
    task,
    approval,
    "TIMED_OUT",
    now,
    { kind: "system", id: "reconciler" },
    { via: "system" },
  );
}

export interface DecisionInput {
  readonly requestId: string;
  readonly outcome: "APPROVED" | "DENIED";
  readonly scope?: string;
  /**
   * Makes the scope from the request as stored, for a door whose choices are short references
   * (Slack's select): never from what the click carried. It throws when the request does not
   * offer the choice. Wins over `scope`.
   */
  readonly scopeOf?: (approval: ApprovalRecord) => string;
  readonly reason?: string;
  readonly via: Extract<Via, "api" | "slack">;
}

/**
 * Slack carries neither a fresh sign-in nor identity groups, so a critical request is decided
 * where both are: the CLI or REST.
 */
export const CRITICAL_NOT_VIA_SLACK =
  "Critical requests cannot be decided from Slack; they are approved with `gates approve` / REST (or denied with `gates deny`).";

/**
 * What deciding checks first, deciding nothing: `human` approves the task, and the request is
 * PENDING and may be decided through `via`. A door asks before it opens a dialog that decides;
 * the refusals are the errors deciding would throw. Answers the request as stored.
 */
export async function requireDecidable(
  deps: ControlPlaneDeps,
  human: Principal,
  taskId: string,
  requestId: string,
  via: DecisionInput["via"],
): Promise<ApprovalRecord> {
  const task = requireApprover(await deps.tasks.getTask(taskId), taskId, human);
  return requirePending(task, await deps.tasks.getApproval(taskId, requestId), requestId, via);
}

function requirePending(
  task: TaskRecord,
  approval: ApprovalRecord | undefined,
  requestId: string,
  via: DecisionInput["via"],
): ApprovalRecord {
  if (!approval) throw new RequestNotFoundError(task.task_id, requestId);
  // Checked on the stored request, so a forged click on a critical request is refused too.
  if (via === "slack" && approval.severity === "critical") throw new ForbiddenError(CRITICAL_NOT_VIA_SLACK);
  if (approval.status !== "PENDING") throw new RequestAlreadyDecidedError(requestId, approval.status);
  return approval;
}

/**
 * An approver approves or denies a PENDING request. The one use case behind REST, the CLI
 * and Slack; of concurrent decisions on one request exactly one commits. A request that needs
 * several approvals records each as a vote (one transaction, one `approval.voted` event) and is
 * APPROVED by the vote that completes the quorum; one deny ends it.
 */
export async function decideApproval(
  deps: DecisionDeps,
  human: Principal,
  taskId: string,
  input: DecisionInput,
): Promise<ApprovalView> {
  const limit = await deps.rateLimiter.hit(`decide#${human.id}`, DECISIONS_PER_MINUTE, 60, deps.clock.now());
  if (!limit.allowed) throw new RateLimitedError("approve and deny calls", limit.retryAfterS);

  const outcome = await changeTask(deps, taskId, async (found, now): Promise<Plan<ApprovalRecord>> => {
    const task = requireApprover(found, taskId, human);
    const approval = requirePending(
      task,
      await deps.tasks.getApproval(taskId, input.requestId),
      input.requestId,
      input.via,
    );
    const requestedScope =
      input.outcome === "APPROVED" && input.scopeOf !== undefined ? input.scopeOf(approval) : input.scope;
    if (Date.parse(approval.expires_at) <= now.getTime()) {
      // Too late: the attempt itself times the request out, and the approver is told so.
      return timeOut(task, approval, now);
    }
    if (!isActive(task.status)) throw new TaskNotActiveError(taskId, task.status);

    const actor: Actor = { kind: input.via === "slack" ? "slack" : "human", id: human.id };
    if (input.outcome === "DENIED") {
      const deny_reason = input.reason ? sanitizeText(input.reason, LIMITS.maxDenyReasonStored) : undefined;
      return endRequest(task, approval, "DENIED", now, actor, {
        via: input.via,
        decided_by: human.id,
        ...(deny_reason ? { deny_reason } : {}),
      });
    }
    if (approval.approver_not_owner && human.id === task.owner)
      throw new SeparationOfDutiesError(input.requestId, approval.rule_ids);
    const votes = approval.votes ?? [];
    const required = approval.approvals_required ?? 1;
    if (votes.some((v) => v.by === human.id))
      throw new AlreadyVotedError(input.requestId, quorumProgress(required, approvedBy(approval)));
    // A lock is a kill switch: nothing it stops may be approved, or the waiting agent would act.
    const lock = lockStopping(await deps.locks.active(now, { fresh: true }), task, now);
    if (lock) throw new LockedError(taskId, lock);
    // Every vote on a critical request needs its own fresh sign-in, the quorum's last one included.
    requireFreshSignIn(approval.severity, human, now, deps.freshSignIn);
    const scope = approvedScope(task, approval, requestedScope ?? "this_call");
    const cast: Vote[] = [...votes, { by: human.id, at: now.toISOString(), via: input.via, scope }];
    if (cast.length < required) return recordVote(task, approval, cast, now, actor);
    return endRequest(task, approval, "APPROVED", now, actor, {
      via: input.via,
      decided_by: human.id,
      scope: narrowestScope(cast.map((v) => v.scope)),
      ...(required > 1 ? { votes: cast } : {}),
    });
  });
  // A decision never yields TIMED_OUT: that outcome means the attempt came after the deadline.
  if (outcome.status === "TIMED_OUT") throw new RequestAlreadyDecidedError(input.requestId, "TIMED_OUT");
  return toApprovalView(outcome);
}

/**
 * The task's own agent withdraws one of its PENDING requests, because it no longer wants the
 * call (its client went away, or it stopped waiting). The request ends CANCELLED with the agent
 * as actor: a withdrawal decides nothing, and nothing in it is credited to a human.
 */
export async function withdrawApproval(
  deps: ControlPlaneDeps,
  agent: Principal,
  taskId: string,
  requestId: string,
  reason: string | undefined,
): Promise<ApprovalView> {
  const outcome = await changeTask(deps, taskId, async (found, now): Promise<Plan<ApprovalRecord>> => {
    const task = requireOwnAgent(found, taskId, agent);
    const approval = await deps.tasks.getApproval(taskId, requestId);
    if (!approval) throw new RequestNotFoundError(taskId, requestId);
    if (approval.status !== "PENDING") throw new RequestAlreadyDecidedError(requestId, approval.status);
    if (Date.parse(approval.expires_at) <= now.getTime()) return timeOut(task, approval, now);
    return endRequest(
      task,
      approval,
      "CANCELLED",
      now,
      { kind: "agent", id: agent.id },
      { via: "api" },
      { withdrawn: true, reason: reason ? sanitizeText(reason, LIMITS.maxOutcomeText) : undefined },
    );
  });
  if (outcome.status === "TIMED_OUT") throw new RequestAlreadyDecidedError(requestId, "TIMED_OUT");
  return toApprovalView(outcome);
}

/** One more approval of a request that needs more: it stays PENDING, its inbox rows show the progress. */
function recordVote(
  task: TaskRecord,
  approval: ApprovalRecord,
  votes: readonly Vote[],
  now: Date,
  actor: Actor,
): Plan<ApprovalRecord> {
  const voted: ApprovalRecord = { ...approval, votes };
  const last = votes.at(-1) as Vote;
  const { task: next, event } = appendEvent(
    task,
    task,
    "approval.voted",
    actor,
    {
      request_id: approval.request_id,
      by: last.by,
      via: last.via,
      scope: last.scope,
      approved_by: approvedBy(voted),
      approvals_required: approval.approvals_required ?? 1,
      progress: quorumProgress(approval.approvals_required ?? 1, approvedBy(voted)),
    },
    now,
  );
  return {
    change: {
      expectedVersion: task.version,
      task: next,
      event,
      voteApprovals: [voted],
      putInbox: inboxRowsOf(voted),
    },
    result: voted,
  };
}

/**
 * Cancels one PENDING request because a lock stopped its task; false when it was no longer pending.
 * The admin who placed the lock with `cancel_pending` is the one who acted.
 */
export function cancelRequest(
  deps: ControlPlaneDeps,
  taskId: string,
  requestId: string,
  lock: LockRecord,
): Promise<boolean> {
  return changeTask(deps, taskId, async (task, now) => {
    const approval = task ? await deps.tasks.getApproval(taskId, requestId) : undefined;
    if (!task || !approval || approval.status !== "PENDING") return { result: false };
    const plan = endRequest(
      task,
      approval,
      "CANCELLED",
      now,
      { kind: "human", id: lock.placed_by },
      { via: "system", decided_by: lock.placed_by, lock_id: lock.lock_id },
    );
    return { ...plan, result: true };
  });
}

/** The canonical scope of an approval, checked against the soft rules of the version the call was judged by. */
function approvedScope(task: TaskRecord, approval: ApprovalRecord, raw: string): string {
  const softRuleIds = new Set(approval.soft_rule_ids ?? approval.rule_ids);
  // The scope is stored, logged and shown, so what is parsed is its sanitized text.
  const parsed = parseScope(sanitizeLine(raw), { softRuleIds });
  if (!parsed.ok) throw new ValidationError(parsed.message, [{ field: "scope", message: parsed.message }]);
  const isNew = parsed.scope.kind !== "this_call" && !task.grants.some((g) => g.scope === parsed.canonical);
  if (isNew && task.grants.length >= LIMITS.maxGrants) {
    const message = `the task already holds ${LIMITS.maxGrants} grants; revoke one or approve with scope this_call`;
    throw new ValidationError(message, [{ field: "scope", message }]);
  }
  return parsed.canonical;
}

/** One transaction ending a request: approval, inbox rows, task (pending, status, grants, denials) and event. */
function endRequest(
  task: TaskRecord,
  approval: ApprovalRecord,
  status: EndStatus,
  now: Date,
  actor: Actor,
  how: {
    via: Via;
    decided_by?: string;
    scope?: string;
    deny_reason?: string;
    /** Every vote, when the request needed more than one approval. */
    votes?: readonly Vote[];
    /** The lock that cancelled the request. */
    lock_id?: string;
  },
  extra: Record<string, unknown> = {},
): Plan<ApprovalRecord> {
  const ended = endApproval(how.votes ? { ...approval, votes: how.votes } : approval, status, now, how);
  const pending = task.pending_request_ids.filter((id) => id !== approval.request_id);
  const grantScope = status === "APPROVED" && how.scope && how.scope !== "this_call" ? how.scope : undefined;
  const voters = how.votes?.map((v) => v.by);
  const grantor = grantScope ? { kind: "human" as const, id: how.decided_by ?? actor.id } : undefined;
  const grants =
    grantScope && grantor && !task.grants.some((g) => g.scope === grantScope)
      ? [
          ...task.grants,
          {
            scope: grantScope,
            granted_by: grantor,
            granted_at: now.toISOString(),
            request_id: approval.request_id,
            ...(voters ? { approved_by: voters } : {}),
          },
        ]
      : task.grants;
  const { task: next, event } = appendEvent(
    task,
    {
      ...task,
      status: task.status === "AWAITING_APPROVAL" && pending.length === 0 ? "RUNNING" : task.status,
      pending_request_ids: pending,
      grants,
      recent_denials: rememberDenial(task, ended, now),
      // An approved call whose agent will report it waits for its outcome under its request id.
      ...(status === "APPROVED" && approval.track_outcome === true
        ? {
            open_calls: withOpenCall(task, {
              request_id: approval.request_id,
              tool_name: approval.tool_name,
              input_sha256: approval.tool_input_sha256,
              allowed_at: now.toISOString(),
            }),
          }
        : {}),
    },
    "approval.decided",
    actor,
    {
      request_id: approval.request_id,
      status,
      decided_by: how.decided_by,
      via: how.via,
      scope: status === "APPROVED" ? how.scope : undefined,
      deny_reason: how.deny_reason,
      approved_by: voters,
      granted_by: grantor,
      lock_id: how.lock_id,
      latency_ms: now.getTime() - Date.parse(approval.created_at),
      severity: approval.severity,
      rule_ids: approval.rule_ids,
      ...extra,
    },
    now,
  );
  return {
    change: {
      expectedVersion: task.version,
      task: next,
      event,
      endApprovals: [ended],
      deleteInbox: inboxKeysOf(approval),
    },
    result: ended,
  };
}

/** Times out every PENDING request past its deadline; returns how many it closed. */
export async function reconcile(
  deps: ControlPlaneDeps,
  batch = 100,
): Promise<{ timed_out: number; failed: number }> {
  const due = await deps.tasks.listExpiredPending(deps.clock.now().toISOString(), batch);
  let timedOut = 0;
  let failed = 0;
  for (const { task_id, request_id } of due) {
    try {
      const after = await timeOutRequest(deps, task_id, request_id);
      if (after.status === "TIMED_OUT") timedOut += 1;
    } catch {
      failed += 1;
    }
  }
  return { timed_out: timedOut, failed };
}
