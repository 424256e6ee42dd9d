import type { ApprovalView, PendingItem, TaskView } from "../../../contracts/api";
import type { ApprovalRecord, InboxRow, TaskRecord } from "../records";
import { withoutUndefined } from "./transact";

export function toTaskView(t: TaskRecord): TaskView {
  return withoutUndefined({
    task_id: t.task_id,
    status: t.status,
    owner: t.owner,
    approvers: [...t.approvers],
    agent_id: t.agent_id,
    repo: t.repo,
    description: t.description,
    read_only: t.read_only,
    approval_timeout_s: t.approval_timeout_s,
    approval_gate_cap: t.approval_gate_cap,
    max_tool_calls: t.max_tool_calls,
    policy_version: t.policy_version,
    grants: t.grants.map((g) => withoutUndefined({ ...g })),
    pending_request_ids: [...t.pending_request_ids],
    counters: { ...t.counters },
    created_at: t.created_at,
    updated_at: t.updated_at,
    last_event_seq: t.version,
    last_event_hash: t.last_event_hash,
  });
}

export function toApprovalView(a: ApprovalRecord): ApprovalView {
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
  });
}

export function toPendingItem(r: InboxRow): PendingItem {
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
  };
}
