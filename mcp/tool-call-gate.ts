import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type {
  ApprovalView,
  EvaluateBody,
  EvaluationResponse,
  OutcomeView,
  ReportOutcomeBody,
} from "../contracts/api";
import { inputSha256 } from "../lambdas/core/hashing";
import { sanitizeText } from "../lambdas/core/sanitize";
import { GatesApiError } from "../sdk/gates-api-error";

/** What the gate needs from the control plane: agent calls only; `GatesClient` is one. */
export interface AgentControlPlane {
  evaluate(taskId: string, call: EvaluateBody): Promise<EvaluationResponse>;
  getApproval(taskId: string, requestId: string, waitS: number): Promise<ApprovalView>;
  withdraw(taskId: string, requestId: string, reason?: string): Promise<ApprovalView>;
  reportOutcome(taskId: string, outcome: ReportOutcomeBody): Promise<OutcomeView>;
}

/** One `tools/call` as the gate sees it. */
export interface GatedCall {
  readonly taskId: string;
  /** The name the tool is offered under, which is also the name the control plane judges. */
  readonly toolName: string;
  /** The arguments, frozen: exactly these are judged and, if allowed, forwarded. */
  readonly args: Readonly<Record<string, unknown>>;
  /** Aborts when the client cancels the call or goes away. */
  readonly signal: AbortSignal;
  /** Sends the client a progress notification, when it asked for them. */
  readonly progress?: (message: string) => Promise<void>;
  /** Calls the upstream tool with exactly these arguments. */
  readonly forward: (args: Readonly<Record<string, unknown>>, signal: AbortSignal) => Promise<CallToolResult>;
}

export interface GateOptions {
  /** Seconds between progress notifications while a human decides. */
  readonly progressIntervalS: number;
  readonly log: (message: string) => void;
  readonly now?: () => number;
}

/** How long past a request's deadline the gate still waits for the control plane to time it out. */
const DEADLINE_GRACE_MS = 10_000;

/** A refusal the agent reads as the tool's result: always an error, always with the reason. */
export function toolError(reason: string): CallToolResult {
  return { content: [{ type: "text", text: `Approval Gates: ${reason}` }], isError: true };
}

class Withdrawn extends Error {}

/** Deep-frozen copy of JSON arguments, so nothing can change them between judging and forwarding. */
export function frozenArguments(args: unknown): Readonly<Record<string, unknown>> {
  const copy: unknown = JSON.parse(JSON.stringify(args ?? {}));
  if (typeof copy !== "object" || copy === null || Array.isArray(copy))
    throw new TypeError("tool arguments must be a JSON object");
  return deepFreeze(copy as Record<string, unknown>);
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/**
 * Gates one tool call: evaluates it on the control plane, waits for a human when one is needed
 * (sending progress so the client does not time out), forwards exactly the judged arguments
 * when allowed, and records the outcome. Every path that is not an ALLOW or an approval ends in a
 * tool error carrying the reason; a cancelled wait withdraws the request.
 */
export async function gateToolCall(
  plane: AgentControlPlane,
  call: GatedCall,
  options: GateOptions,
): Promise<CallToolResult> {
  const now = options.now ?? Date.now;
  let evaluation: EvaluationResponse;
  try {
    evaluation = await plane.evaluate(call.taskId, {
      tool_name: call.toolName,
      tool_input: call.args as Record<string, unknown>,
      // The gateway records every forwarded call's outcome.
      track_outcome: true,
    });
  } catch (error) {
    return toolError(`the call is blocked because the control plane could not be asked (${describe(error)})`);
  }
  // The control plane must have judged these very arguments; anything else is refused.
  if (evaluation.input_sha256 !== inputSha256(call.args))
    return toolError(
      "the call is blocked because the control plane judged different arguments than were sent",
    );

  let allowedBy: { event_seq: number } | { request_id: string };
  if (evaluation.decision === "ALLOW") {
    allowedBy = { event_seq: evaluation.event_seq };
  } else if (evaluation.decision === "REQUIRE_APPROVAL" && evaluation.request_id) {
    const requestId = evaluation.request_id;
    let view: ApprovalView;
    try {
      view = await waitForHuman(plane, call, evaluation, requestId, options, now);
    } catch (error) {
      if (error instanceof Withdrawn) return toolError(error.message);
      return toolError(`the call is blocked because its approval could not be read (${describe(error)})`);
    }
    if (view.status !== "APPROVED") return toolError(refusal(view));
    allowedBy = { request_id: requestId };
  } else {
    return toolError(`denied: ${evaluation.reason || "by policy"}`);
  }

  const started = now();
  let result: CallToolResult;
  try {
    result = await call.forward(call.args, call.signal);
  } catch (error) {
    const why = call.signal.aborted ? "cancelled by the client while the tool ran" : describe(error);
    await record(
      plane,
      call.taskId,
      { ...allowedBy, outcome: "upstream_error", duration_ms: now() - started, error: why },
      options,
    );
    return toolError(`the tool was allowed but its server failed: ${why}`);
  }
  await record(
    plane,
    call.taskId,
    {
      ...allowedBy,
      outcome: "executed",
      duration_ms: now() - started,
      ...resultHash(result),
      ...(result.isError === true ? { result_is_error: true } : {}),
    },
    options,
  );
  return result;
}

async function waitForHuman(
  plane: AgentControlPlane,
  call: GatedCall,
  evaluation: EvaluationResponse,
  requestId: string,
  options: GateOptions,
  now: () => number,
): Promise<ApprovalView> {
  const expiresAt = evaluation.expires_at ? Date.parse(evaluation.expires_at) : Number.NaN;
  const deadline =
    (Number.isFinite(expiresAt) ? expiresAt : now() + (evaluation.timeout_s ?? 300) * 1000) +
    DEADLINE_GRACE_MS;
  const rules = evaluation.rule_ids.join(", ");
  let beats = 0;
  const beat = async () => {
    beats += 1;
    await call
      .progress?.(
        `waiting for a human to approve ${call.toolName} (request ${requestId}${rules ? `, rules ${rules}` : ""}, until ${evaluation.expires_at ?? "its deadline"}); update ${beats}`,
      )
      .catch((e: unknown) => options.log(`progress notification failed: ${describe(e)}`));
  };
  await beat();
  for (;;) {
    if (call.signal.aborted) throw await withdraw(plane, call, requestId, options);
    const remainingS = Math.ceil((deadline - now()) / 1000);
    if (remainingS <= 0) {
      await withdraw(plane, call, requestId, options);
      throw new Withdrawn("no decision arrived before the request's deadline, so the call is blocked");
    }
    const waitS = Math.max(1, Math.min(options.progressIntervalS, remainingS));
    const view = await untilAborted(plane.getApproval(call.taskId, requestId, waitS), call.signal);
    if (view === undefined) throw await withdraw(plane, call, requestId, options);
    if (view.status !== "PENDING") return view;
    await beat();
  }
}

/** Withdraws the request the client no longer waits for; a failure to do so is logged, the call still blocked. */
async function withdraw(
  plane: AgentControlPlane,
  call: GatedCall,
  requestId: string,
  options: GateOptions,
): Promise<Withdrawn> {
  try {
    await plane.withdraw(call.taskId, requestId, "the MCP client cancelled the call or disconnected");
  } catch (error) {
    // Already decided or timed out meanwhile: nothing is left to withdraw.
    if (!(error instanceof GatesApiError && error.code === "REQUEST_ALREADY_DECIDED"))
      options.log(`could not withdraw request ${requestId}: ${describe(error)}`);
  }
  return new Withdrawn(
    `the call was cancelled while waiting for approval; request ${requestId} is withdrawn`,
  );
}

/** The promise's value, or undefined as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}

async function record(
  plane: AgentControlPlane,
  taskId: string,
  outcome: ReportOutcomeBody,
  options: GateOptions,
): Promise<void> {
  try {
    await plane.reportOutcome(taskId, outcome);
  } catch (error) {
    // The call already ran; its result still goes back, and the operator learns the ledger missed it.
    options.log(`could not record the outcome of a call on task ${taskId}: ${describe(error)}`);
  }
}

function resultHash(result: CallToolResult): { result_sha256?: string } {
  try {
    return { result_sha256: inputSha256(result) };
  } catch {
    return {};
  }
}

function refusal(view: ApprovalView): string {
  switch (view.status) {
    case "DENIED":
      return `denied by ${view.decided_by ?? "a human"}${view.deny_reason ? `: ${view.deny_reason}` : ""}`;
    case "TIMED_OUT":
      return "no one approved the call before its deadline, so it is blocked";
    case "CANCELLED":
      return "the request was cancelled, so the call is blocked";
    default:
      return `the request ended ${view.status}, so the call is blocked`;
  }
}

/** An error as the agent may read it: secrets redacted, control characters gone, bounded. */
function describe(error: unknown): string {
  const text =
    error instanceof GatesApiError
      ? `${error.code}: ${error.message}`
      : error instanceof Error
        ? error.message
        : String(error);
  return sanitizeText(text, 1000);
}
