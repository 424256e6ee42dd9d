import { LIMITS, type OutcomeView, type ReportOutcomeBody } from "../../../contracts/api";
import { CallNotFoundError } from "../errors";
import type { Principal } from "../principal";
import type { OpenCall, TaskRecord } from "../records";
import { sanitizeText } from "../sanitize";
import { requireOwnAgent } from "./access";
import type { ControlPlaneDeps } from "./deps";
import { appendEvent, changeTask } from "./transact";

/**
 * How many allowed calls a task keeps waiting for their outcome. The list lives on the task item,
 * which every change rewrites, so it is short and holds only calls whose caller asked to report
 * them (`track_outcome`); a call older than the last ones allowed can no longer be reported.
 */
export const OPEN_CALLS_KEPT = 32;

/** The task's open calls with one more allowed call, forgetting the oldest past the bound. */
export function withOpenCall(task: TaskRecord, call: OpenCall): OpenCall[] {
  return [...(task.open_calls ?? []), call].slice(-OPEN_CALLS_KEPT);
}

/**
 * The agent records what became of one of its allowed calls: it ran, or the tool failed to
 * answer. Only a call the control plane allowed (an ALLOW, or a request a human approved) that
 * has no outcome yet can be reported, once; the tool and input hash come from the task's own
 * record, not from the agent. An outcome decides nothing: it is a fact for the ledger.
 */
export function reportOutcome(
  deps: ControlPlaneDeps,
  agent: Principal,
  taskId: string,
  body: ReportOutcomeBody,
): Promise<OutcomeView> {
  const call =
    body.request_id !== undefined ? { request_id: body.request_id } : { event_seq: body.event_seq as number };
  const named = call.request_id !== undefined ? `request ${call.request_id}` : `event_seq ${call.event_seq}`;
  // Free text from the agent passes the secret scanner before it is stored.
  const error = body.error === undefined ? undefined : sanitizeText(body.error, LIMITS.maxOutcomeText);

  return changeTask(deps, taskId, (found, now) => {
    const current = requireOwnAgent(found, taskId, agent);
    const open = current.open_calls ?? [];
    const index = open.findIndex((c) =>
      call.request_id !== undefined ? c.request_id === call.request_id : c.event_seq === call.event_seq,
    );
    const allowed = open[index];
    if (!allowed) throw new CallNotFoundError(taskId, named, OPEN_CALLS_KEPT);
    const { task, event } = appendEvent(
      current,
      { ...current, open_calls: open.filter((_, i) => i !== index) },
      "tool_call.outcome",
      { kind: "agent", id: agent.id },
      {
        ...call,
        tool_name: allowed.tool_name,
        input_sha256: allowed.input_sha256,
        outcome: body.outcome,
        duration_ms: body.duration_ms,
        result_sha256: body.result_sha256,
        result_is_error: body.result_is_error,
        error,
      },
      now,
    );
    return {
      change: { expectedVersion: current.version, task, event },
      result: {
        task_id: taskId,
        event_seq: event.seq,
        tool_name: allowed.tool_name,
        input_sha256: allowed.input_sha256,
        outcome: body.outcome,
      },
    };
  });
}
