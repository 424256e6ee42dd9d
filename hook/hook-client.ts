import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
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
 * A small client for the hook: one request per call, a bearer token, and a time limit that never
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
    const remaining = Math.floor(deadlineMs - Date.now());
    if (remaining <= 0) throw new GatesApiError(0, "TIMEOUT", "the hook ran out of time before asking");
    const { status, headers, text } = await send(method, `${base}${path}`, authorization, remaining, body);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300) throw errorFromResponse(status, parsed, headers);
    if (parsed === undefined)
      throw new GatesApiError(status, "UNEXPECTED_RESPONSE", "the answer was not JSON");
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

/**
 * One HTTP exchange with node:http(s): unlike fetch, it loads no extra HTTP stack, which is most
 * of a hook run's start-up. The time limit covers connecting, sending and reading the answer.
 */
function send(
  method: string,
  url: string,
  authorization: string,
  timeoutMs: number,
  body: unknown,
): Promise<{ status: number; headers: Pick<Headers, "get">; text: string }> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const target = new URL(url);
  const request = target.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const origin = target.origin;
    const fail = (code: "TIMEOUT" | "NETWORK_ERROR", message: string) =>
      reject(new GatesApiError(0, code, message));
    const req = request(
      target,
      {
        method,
        headers: {
          authorization,
          ...(payload === undefined
            ? { accept: "application/json" }
            : { "content-type": "application/json", "content-length": Buffer.byteLength(payload) }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", (e) => fail("NETWORK_ERROR", `the answer from ${origin} broke off: ${e.message}`));
        res.on("end", () => {
          clearTimeout(timer);
          // Not the global Headers: touching it loads fetch's whole HTTP stack.
          const headers = {
            get: (name: string) => {
              const value = res.headers[name.toLowerCase()];
              return typeof value === "string" ? value : null;
            },
          };
          resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    const timer = setTimeout(() => {
      req.destroy();
      fail("TIMEOUT", `no answer from ${origin} in time`);
    }, timeoutMs);
    req.on("error", (e) => {
      clearTimeout(timer);
      fail("NETWORK_ERROR", `cannot reach ${origin}: ${e.message}`);
    });
    req.end(payload);
  });
}
