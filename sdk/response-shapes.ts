import type { ApprovalStatus, ApprovalView, Decision, EvaluationResponse } from "../contracts/api";
import { GatesApiError } from "./gates-api-error";

type Kind = "string" | "number" | "boolean" | "array" | "object";

const DECISIONS: readonly Decision[] = ["ALLOW", "DENY", "REQUIRE_APPROVAL"];
const STATUSES: readonly ApprovalStatus[] = ["PENDING", "APPROVED", "DENIED", "TIMED_OUT", "CANCELLED"];

function kindOf(value: unknown): Kind | "other" {
  if (Array.isArray(value)) return "array";
  if (value === null) return "other";
  const t = typeof value;
  return t === "string" || t === "number" || t === "boolean" || t === "object" ? t : "other";
}

/**
 * Checks that an answer has the fields a contract type requires before the SDK hands it out
 * typed; an answer that does not is an error, never a half-filled object.
 */
export function expectShape<T>(value: unknown, what: string, required: Readonly<Record<string, Kind>>): T {
  if (kindOf(value) !== "object") throw unexpected(what, "not an object");
  const record = value as Record<string, unknown>;
  for (const [key, kind] of Object.entries(required)) {
    if (kindOf(record[key]) !== kind) throw unexpected(what, `field ${key} is not a ${kind}`);
  }
  return value as T;
}

function unexpected(what: string, problem: string): GatesApiError {
  return new GatesApiError(0, "UNEXPECTED_RESPONSE", `unexpected ${what} from the API: ${problem}`);
}

/** An evaluation with a known decision, and a request id whenever it asks for approval. */
export function expectEvaluation(value: unknown): EvaluationResponse {
  const e = expectShape<EvaluationResponse>(value, "evaluation", {
    decision: "string",
    reason: "string",
    rule_ids: "array",
  });
  if (!DECISIONS.includes(e.decision)) throw unexpected("evaluation", `unknown decision ${e.decision}`);
  if (e.decision === "REQUIRE_APPROVAL" && typeof e.request_id !== "string")
    throw unexpected("evaluation", "REQUIRE_APPROVAL without a request_id");
  return e;
}

/** An approval view with a known status. */
export function expectApproval(value: unknown): ApprovalView {
  const a = expectShape<ApprovalView>(value, "approval", {
    task_id: "string",
    request_id: "string",
    status: "string",
    tool_name: "string",
  });
  if (!STATUSES.includes(a.status)) throw unexpected("approval", `unknown status ${a.status}`);
  return a;
}
