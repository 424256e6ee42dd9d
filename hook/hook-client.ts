import type { ApprovalView, CreateTaskBody, EvaluateBody, EvaluationResponse } from "../contracts/api";
import { type OperationId, ROUTES } from "../lambdas/routes";
import { errorFromResponse, GatesApiError } from "../sdk/gates-api-error";
import { expectApproval, expectEvaluation, expectShape } from "../sdk/response-shapes";

/** The agent calls the hook makes. */
export interface HookControlPlane {
  createTask(body: CreateTaskBody, deadlineMs: number): Promise<void>;
  evaluate(taskId: string, call: EvaluateBody, deadlineMs: number): Promise<EvaluationResponse>;
  getApproval(taskId: string, requestId: string, waitS: number, deadlineMs: number): Promise<ApprovalView>;
  withdraw(taskId: string, requestId: string, reason: string, deadlineMs: number): Promise<void>;
}

/** A route's path with its parameters filled in, from the one route manifest. */
function pathOf(operation: OperationId, params: Record<string, string> = {}): string {
  const route = ROUTES.find((r) => r.operation === operation);
  if (!route) throw new Error(`no route ${operation}`);
  return route.path.replace(/\{([a-z_]+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ""));
}

/**
 * A small client for the hook: one fetch per call, a bearer token, and a time limit that never
 * runs past the hook's own deadline. It is not the SDK's client because the hook starts once per
 * tool call, and the SDK's SigV4 and retry machinery would cost more to load than the call itself;
 * answers are checked with the SDK's own shape checks.
 */
export function hookControlPlane(url: string, token: string): HookControlPlane {
  const base = url.endsWith("/") ? url.slice(0, -1) : url;
  const authorization = /^bearer /i.test(token) ? token : `Bearer ${token}`;

  async function call(
    method: "GET" | "POST",
    path: string,
    deadlineMs: number,
    body?: unknown,
  ): Promise<unknown> {
    const remaining = deadlineMs - Date.now();
    if (remaining <= 0) throw new GatesApiError(0, "TIMEOUT", "the hook ran out of time before asking");
    let response: Response;
    let text: string;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: {
          authorization,
          ...(body === undefined ? { accept: "application/json" } : { "content-type": "application/json" }),
        },
        signal: AbortSignal.timeout(Math.floor(remaining)),
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const cause =
        error instanceof Error
          ? `: ${error.cause instanceof Error ? error.cause.message : error.message}`
          : "";
      throw new GatesApiError(
        0,
        timedOut ? "TIMEOUT" : "NETWORK_ERROR",
        timedOut ? `no answer from ${base} in time` : `cannot reach ${base}${cause}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!response.ok) throw errorFromResponse(response.status, parsed, response.headers);
    if (parsed === undefined)
      throw new GatesApiError(response.status, "UNEXPECTED_RESPONSE", "the answer was not JSON");
    return parsed;
  }

  return {
    async createTask(body, deadlineMs) {
      expectShape(await call("POST", pathOf("createTask"), deadlineMs, body), "task", { task_id: "string" });
    },
    async evaluate(taskId, body, deadlineMs) {
      return expectEvaluation(
        await call("POST", pathOf("evaluateToolCall", { task_id: taskId }), deadlineMs, body),
      );
    },
    async getApproval(taskId, requestId, waitS, deadlineMs) {
      const path = `${pathOf("getApproval", { task_id: taskId, request_id: requestId })}?wait_s=${waitS}`;
      return expectApproval(await call("GET", path, deadlineMs));
    },
    async withdraw(taskId, requestId, reason, deadlineMs) {
      const path = pathOf("withdrawApproval", { task_id: taskId, request_id: requestId });
      expectApproval(await call("POST", path, deadlineMs, { reason }));
    },
  };
}
