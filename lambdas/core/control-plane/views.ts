import type { ApprovalView, GrantView, PendingItem, TaskView } from "../../../contracts/api";
import { approvedBy, quorumProgress } from "../governance/quorum";
import type { ApprovalRecord, InboxRow, TaskRecord } from "../records";
import type { Grant } from "../task";
import { withoutUndefined } from "./transact";

export function toTaskView(t: TaskRecord): TaskView {
  return withoutUndefined({
    task_id: t.task_id,
    status: t.status,
    owner: t.owner,
    approvers: [...t.approvers],
    approver_groups: [...t.approver_groups],
    agent_id: t.agent_id,
    repo: t.repo,
    description: t.description,
    read_only: t.read_only,
    approval_timeout_s: t.approval_timeout_s,
    approval_gate_cap: t.approval_gate_cap,
    max_tool_calls: t.max_tool_calls,
    policy_version: t.policy_version,
    policy_layers: t.policy_layers.map((l) => ({ ...l })),
    settings: { ...t.settings },
    grants: t.grants.map(toGrantView),
    pending_request_ids: [...t.pending_request_ids],
    counters: { ...t.counters },
    created_at: t.created_at,
    updated_at: t.updated_at,
    last_event_seq: t.version,
    last_event_hash: t.last_event_hash,
  });
}

/** A grant as served. */
function toGrantView(g: Grant): GrantView {
  return withoutUndefined({
    scope: g.scope,
    granted_by: { ...g.granted_by },
    granted_at: g.granted_at,
    request_id: g.request_id,
    approved_by: g.approved_by ? [...g.approved_by] : undefined,
  });
}

export function toApprovalView(a: ApprovalRecord): ApprovalView {
  const required = a.approvals_required ?? 1;
  const approved = approvedBy(a);
  return withoutUndefined({
    task_id: a.task_id,
    request_id: a.request_id,
    status: a.status,
    tool_name: a.tool_name,
    tool_input_preview: a.tool_input_preview,
    tool_input_sha256: a.tool_input_sha256,
    rule_ids: [...a.rule_ids],
    severity: a.severity,
    reason: a.reason,
    created_at: a.created_at,
    expires_at: a.expires_at,
    decided_at: a.decided_at,
    decided_by: a.decided_by,
    via: a.via,
    scope: a.scope,
    deny_reason: a.deny_reason,
    approvals_required: required,
    approved_by: approved,
    progress: quorumProgress(required, approved),
    approver_not_owner: a.approver_not_owner ? true : undefined,
  });
}

export function toPendingItem(r: InboxRow): PendingItem {
  const required = r.approvals_required ?? 1;
  const approved = [...(r.approved_by ?? [])];
  return {
    task_id: r.task_id,
    request_id: r.request_id,
    repo: r.repo,
    tool_name: r.tool_name,
    tool_input_preview: r.tool_input_preview,
    rule_ids: [...r.rule_ids],
    severity: r.severity,
    reason: r.reason,
    created_at: r.created_at,
    expires_at: r.expires_at,
    approvals_required: required,
    approved_by: approved,
    progress: quorumProgress(required, approved),
  };
}
