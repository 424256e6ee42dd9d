import type { ApprovalStatus, Via } from "../../../contracts/api";
import { approvedBy } from "../governance/quorum";
import type { TaskStore } from "../ports";
import { type ApprovalRecord, groupInboxKey, type InboxRow, type TaskRecord } from "../records";
import { RECENT_WINDOW_MS, type RecentDenial } from "../task";

export type EndStatus = Exclude<ApprovalStatus, "PENDING">;

/** An approval request closed with its outcome. */
export function endApproval(
  approval: ApprovalRecord,
  status: EndStatus,
  now: Date,
  how: { via: Via; decided_by?: string; scope?: string; deny_reason?: string },
): ApprovalRecord {
  return {
    ...approval,
    status,
    decided_at: now.toISOString(),
    via: how.via,
    ...(how.decided_by !== undefined ? { decided_by: how.decided_by } : {}),
    ...(how.scope !== undefined ? { scope: how.scope } : {}),
    ...(how.deny_reason !== undefined ? { deny_reason: how.deny_reason } : {}),
  };
}

/** The inboxes a request is listed in: each approver's own, then each approver group's. */
export function inboxIdsOf(a: Pick<ApprovalRecord, "approvers" | "approver_groups">): string[] {
  return [...a.approvers, ...(a.approver_groups ?? []).map(groupInboxKey)];
}

/** The inbox rows a request has while PENDING, one per approver and approver group. */
export function inboxRowsOf(a: ApprovalRecord): InboxRow[] {
  const required = a.approvals_required ?? 1;
  const approved = approvedBy(a);
  return inboxIdsOf(a).map((approver_id) => ({
    approver_id,
    task_id: a.task_id,
    request_id: a.request_id,
    repo: a.repo,
    tool_name: a.tool_name,
    tool_input_preview: a.tool_input_preview,
    rule_ids: a.rule_ids,
    severity: a.severity,
    reason: a.reason,
    created_at: a.created_at,
    expires_at: a.expires_at,
    ...(required > 1 ? { approvals_required: required, approved_by: approved } : {}),
  }));
}

export function inboxKeysOf(a: ApprovalRecord) {
  return inboxIdsOf(a).map((approver_id) => ({
    approver_id,
    task_id: a.task_id,
    request_id: a.request_id,
    expires_at: a.expires_at,
  }));
}

/** The task's recent denials with one more, forgetting those past the window. */
export function rememberDenial(task: TaskRecord, approval: ApprovalRecord, now: Date): RecentDenial[] {
  const cutoff = now.getTime() - RECENT_WINDOW_MS;
  const kept = task.recent_denials.filter((d) => Date.parse(d.at) > cutoff);
  if (approval.status !== "DENIED" && approval.status !== "TIMED_OUT") return kept;
  return [
    ...kept,
    {
      tool_name: approval.tool_name,
      input_sha256: approval.tool_input_sha256,
      rule_ids: approval.rule_ids,
      status: approval.status,
      at: now.toISOString(),
    },
  ];
}

/** Reads every PENDING request of a task, to close them together (finish, cancel). */
export async function pendingApprovals(tasks: TaskStore, task: TaskRecord): Promise<ApprovalRecord[]> {
  const found = await Promise.all(task.pending_request_ids.map((id) => tasks.getApproval(task.task_id, id)));
  return found.filter((a): a is ApprovalRecord => a !== undefined && a.status === "PENDING");
}

/** Approval timeouts and per-task limits are counted from this list. */
export function pruneRequestTimes(times: readonly string[], now: Date): string[] {
  const cutoff = now.getTime() - RECENT_WINDOW_MS;
  return times.filter((at) => Date.parse(at) > cutoff);
}
