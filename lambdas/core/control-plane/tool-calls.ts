import type { EvaluateBody, EvaluationResponse } from "../../../contracts/api";
import { inputSha256 } from "../hashing";
import { decideToolCall, type Evaluation } from "../policy/evaluate";
import type { Principal } from "../principal";
import type { ApprovalRecord } from "../records";
import { previewToolInput, sanitizeText } from "../sanitize";
import { requireOwnAgent } from "./access";
import type { EvaluationDeps } from "./deps";
import { withOpenCall } from "./outcomes";
import { inboxRowsOf, pruneRequestTimes } from "./request-lifecycle";
import { requireToolInputWithinLimit } from "./tool-input-limit";
import { appendEvent, changeTask } from "./transact";

/**
 * Decides one tool call of a task and records it: one transaction appends the evaluation
 * (or the approval request with its inbox rows) and bumps the counters. Any failure on the
 * way is an error, never an ALLOW.
 */
export async function decideAndRecordToolCall(
  deps: EvaluationDeps,
  agent: Principal,
  taskId: string,
  body: EvaluateBody,
): Promise<EvaluationResponse> {
  requireToolInputWithinLimit(body.tool_input);
  const sha = inputSha256(body.tool_input);
  const toolUseId = body.tool_use_id === undefined ? undefined : sanitizeText(body.tool_use_id, 256);
  const call = { tool_name: body.tool_name, tool_input: body.tool_input };
  const shell = await deps.shell();

  return changeTask<EvaluationResponse>(deps, taskId, async (found, now) => {
    const current = requireOwnAgent(found, taskId, agent);
    const [policies, locks] = await Promise.all([deps.policies.forTask(current), deps.locks.active(now)]);
    const evaluation: Evaluation = decideToolCall({
      task: current,
      call,
      inputSha256: sha,
      policies,
      shell,
      locks,
      now,
      maxItemsPerChange: deps.tasks.maxItemsPerChange,
    });
    const reason = sanitizeText(evaluation.reason, 2000);
    const counters = { ...current.counters, tool_calls: current.counters.tool_calls + 1 };
    const actor = { kind: "agent" as const, id: agent.id };

    if (evaluation.decision !== "REQUIRE_APPROVAL") {
      // An ALLOW waits for its outcome under the seq of the event that records it.
      const seq = current.version + 1;
      const open_calls =
        evaluation.decision === "ALLOW" && body.track_outcome === true
          ? withOpenCall(current, {
              event_seq: seq,
              tool_name: body.tool_name,
              input_sha256: sha,
              allowed_at: now.toISOString(),
            })
          : current.open_calls;
      const { task, event } = appendEvent(
        current,
        { ...current, counters, ...(open_calls ? { open_calls } : {}) },
        "tool_call.evaluated",
        actor,
        {
          tool_name: body.tool_name,
          input_sha256: sha,
          decision: evaluation.decision,
          source: evaluation.source,
          rule_ids: evaluation.rule_ids,
          reason,
          tool_use_id: toolUseId,
        },
        now,
      );
      return {
        change: { expectedVersion: current.version, task, event },
        result: {
          decision: evaluation.decision,
          source: evaluation.source,
          reason,
          rule_ids: [...evaluation.rule_ids],
          event_seq: event.seq,
          input_sha256: sha,
        },
      };
    }

    const createdAt = now.toISOString();
    const expiresAt = new Date(now.getTime() + evaluation.timeout_s * 1000).toISOString();
    const approval: ApprovalRecord = {
      task_id: current.task_id,
      request_id: deps.ids.ulid(now),
      status: "PENDING",
      repo: current.repo,
      approvers: current.approvers,
      ...(current.approver_groups.length > 0 ? { approver_groups: current.approver_groups } : {}),
      tool_name: body.tool_name,
      tool_input_preview: previewToolInput(body.tool_input),
      tool_input_sha256: sha,
      rule_ids: evaluation.rule_ids,
      soft_rule_ids: policies.rules.filter((r) => r.tier === "soft").map((r) => r.rule_id),
      severity: evaluation.severity,
      reason,
      timeout_s: evaluation.timeout_s,
      created_at: createdAt,
      expires_at: expiresAt,
      ...(body.track_outcome === true ? { track_outcome: true } : {}),
      ...(evaluation.approvals_required > 1 ? { approvals_required: evaluation.approvals_required } : {}),
      ...(evaluation.approver_not_owner ? { approver_not_owner: true } : {}),
    };
    const { task, event } = appendEvent(
      current,
      {
        ...current,
        status: "AWAITING_APPROVAL",
        counters: { ...counters, approvals_requested: current.counters.approvals_requested + 1 },
        pending_request_ids: [...current.pending_request_ids, approval.request_id],
        recent_request_times: [...pruneRequestTimes(current.recent_request_times, now), createdAt],
      },
      "approval.requested",
      actor,
      {
        request_id: approval.request_id,
        tool_name: approval.tool_name,
        input_sha256: sha,
        tool_input_preview: approval.tool_input_preview,
        rule_ids: approval.rule_ids,
        severity: approval.severity,
        reason,
        timeout_s: approval.timeout_s,
        expires_at: expiresAt,
        approvers: approval.approvers,
        approver_groups: approval.approver_groups,
        approvals_required: evaluation.approvals_required,
        approver_not_owner: evaluation.approver_not_owner || undefined,
        tool_use_id: toolUseId,
      },
      now,
    );
    return {
      change: {
        expectedVersion: current.version,
        task,
        event,
        createApprovals: [approval],
        putInbox: inboxRowsOf(approval),
      },
      result: {
        decision: "REQUIRE_APPROVAL",
        source: "soft_rule",
        reason,
        rule_ids: [...evaluation.rule_ids],
        request_id: approval.request_id,
        severity: evaluation.severity,
        timeout_s: evaluation.timeout_s,
        expires_at: expiresAt,
        approvals_required: evaluation.approvals_required,
        event_seq: event.seq,
        input_sha256: sha,
      },
    };
  });
}
