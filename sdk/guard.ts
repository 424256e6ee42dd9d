import { GatesApiError } from "./gates-api-error";
import type { GatesClient, GuardOptions } from "./gates-client";
import type { GuardResult } from "./types";

/** How long past the request's own timeout we keep waiting, for clock skew and slow links. */
const GRACE_MS = 30_000;
const DEFAULT_TIMEOUT_S = 300;

function denied(reason: string, requestId?: string): GuardResult {
  return { allowed: false, decision: "DENY", reason, ...(requestId ? { request_id: requestId } : {}) };
}

/** The body of {@link GatesClient.guard}; every path that is not an explicit ALLOW denies. */
export async function guardToolCall(
  client: GatesClient,
  taskId: string,
  toolName: string,
  toolInput: Record<string, unknown>,
  options: GuardOptions,
): Promise<GuardResult> {
  try {
    const evaluation = await client.evaluate(taskId, {
      tool_name: toolName,
      tool_input: toolInput,
      ...(options.tool_use_id ? { tool_use_id: options.tool_use_id } : {}),
    });
    if (evaluation.decision === "ALLOW")
      return { allowed: true, decision: "ALLOW", reason: evaluation.reason };
    if (evaluation.decision !== "REQUIRE_APPROVAL" || !evaluation.request_id)
      return denied(evaluation.reason || "denied by policy");
    const requestId = evaluation.request_id;
    const waitMs = options.maxWaitMs ?? (evaluation.timeout_s ?? DEFAULT_TIMEOUT_S) * 1000 + GRACE_MS;
    const view = await client.waitForDecision(taskId, requestId, { deadlineMs: Date.now() + waitMs });
    switch (view.status) {
      case "APPROVED":
        return {
          allowed: true,
          decision: "ALLOW",
          reason: `approved by ${view.decided_by ?? "a human"}${view.scope ? ` (scope ${view.scope})` : ""}`,
          request_id: requestId,
        };
      case "DENIED":
        return denied(
          `denied by ${view.decided_by ?? "a human"}${view.deny_reason ? `: ${view.deny_reason}` : ""}`,
          requestId,
        );
      case "TIMED_OUT":
        return denied("no one approved the call before its deadline", requestId);
      case "CANCELLED":
        return denied("the task was cancelled", requestId);
      default:
        return denied("no decision arrived in time", requestId);
    }
  } catch (error) {
    const why =
      error instanceof GatesApiError
        ? `${error.code}: ${error.message}`
        : error instanceof Error
          ? error.message
          : String(error);
    return denied(`Approval Gates could not be asked, so the call is blocked (${why})`);
  }
}
