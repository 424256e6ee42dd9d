import type {
  ApprovalView,
  DryRunResult,
  PendingPage,
  PolicyView,
  PublishedPolicies,
  TaskView,
  WhoamiView,
} from "../../contracts/api";
import type { LedgerEvent } from "../../lambdas/core/ledger";
import { type OperationId, ROUTES } from "../../lambdas/routes";

/** One request as the signer sees it: the operation it calls, and what goes on the wire. */
export interface ApiRequest {
  readonly operation: OperationId;
  readonly method: string;
  /** The path below the API root, starting with `/v1/`, parameters encoded. */
  readonly path: string;
  /** The query string without `?`, or "". */
  readonly query: string;
  readonly body?: string;
}

/** Adds the caller's credentials to a request: a bearer token or a SigV4 signature. */
export type Authorizer = (request: ApiRequest) => Promise<Record<string, string>>;

/** An error answer of the API, or a failure to reach it (status 0). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** A page of the ledger. */
export interface EventsPage {
  readonly items: LedgerEvent[];
  readonly next_after_seq?: number;
}

const ROUTE_BY_OPERATION = new Map(ROUTES.map((r) => [r.operation as OperationId, r]));

/**
 * The console's client of the public REST API: one method per route it uses, the route's method
 * and path taken from the manifest. Requests go to the page's own origin (local mode serves the
 * API there; in AWS CloudFront sends `/v1/*` on to API Gateway).
 */
export class ConsoleApi {
  constructor(
    private readonly authorize: Authorizer,
    private readonly base = "",
  ) {}

  whoami = () => this.call<WhoamiView>("whoami", {});
  pending = (signal?: AbortSignal) =>
    this.call<PendingPage>("listPending", { query: { limit: "100" }, signal });
  approval = (taskId: string, requestId: string, waitS = 0, signal?: AbortSignal) =>
    this.call<ApprovalView>("getApproval", {
      params: { task_id: taskId, request_id: requestId },
      query: waitS > 0 ? { wait_s: String(waitS) } : {},
      signal,
    });
  approve = (taskId: string, requestId: string, scope: string) =>
    this.call<ApprovalView>("approve", {
      params: { task_id: taskId },
      body: { request_id: requestId, scope },
    });
  deny = (taskId: string, requestId: string, reason: string) =>
    this.call<ApprovalView>("deny", {
      params: { task_id: taskId },
      body: reason ? { request_id: requestId, reason } : { request_id: requestId },
    });
  task = (taskId: string, signal?: AbortSignal) =>
    this.call<TaskView>("getTask", { params: { task_id: taskId }, signal });
  events = (taskId: string, afterSeq: number, signal?: AbortSignal) =>
    this.call<EventsPage>("listEvents", {
      params: { task_id: taskId },
      query: { after_seq: String(afterSeq), limit: "100" },
      signal,
    });
  cancel = (taskId: string, reason: string) =>
    this.call<TaskView>("cancelTask", { params: { task_id: taskId }, body: reason ? { reason } : {} });
  revoke = (taskId: string, scope: string) =>
    this.call<TaskView>("revokeGrant", { params: { task_id: taskId }, body: { scope } });
  policies = (repoId: string) => this.call<PolicyView>("getPolicies", { params: { repo_id: repoId } });
  dryRun = (repoId: string, body: Record<string, unknown>) =>
    this.call<DryRunResult>("dryRunPolicies", { params: { repo_id: repoId }, body });
  publish = (repoId: string, body: { policies: string; disable?: string[] }) =>
    this.call<PublishedPolicies>("publishPolicies", { params: { repo_id: repoId }, body });

  /** Every event of a task, page after page. */
  async allEvents(taskId: string, signal?: AbortSignal): Promise<LedgerEvent[]> {
    const events: LedgerEvent[] = [];
    let after = 0;
    for (;;) {
      const page = await this.events(taskId, after, signal);
      events.push(...page.items);
      if (page.next_after_seq === undefined || page.items.length === 0) return events;
      after = page.next_after_seq;
    }
  }

  private async call<T>(
    operation: OperationId,
    options: {
      params?: Record<string, string>;
      query?: Record<string, string>;
      body?: unknown;
      signal?: AbortSignal | undefined;
    },
  ): Promise<T> {
    const route = ROUTE_BY_OPERATION.get(operation);
    if (!route) throw new ApiError(0, "NO_ROUTE", `the console has no route for ${operation}`);
    const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(options.params?.[name] ?? ""),
    );
    const query = new URLSearchParams(options.query ?? {}).toString();
    const body = options.body === undefined ? undefined : JSON.stringify(options.body);
    const request: ApiRequest = { operation, method: route.method, path, query, ...(body ? { body } : {}) };
    const headers = {
      accept: "application/json",
      ...(body ? { "content-type": "application/json" } : {}),
      ...(await this.authorize(request)),
    };
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}${query ? `?${query}` : ""}`, {
        method: route.method,
        headers,
        ...(body ? { body } : {}),
        // The API never redirects; a redirect would carry the credentials elsewhere.
        redirect: "error",
        credentials: "omit",
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw new ApiError(0, "NETWORK_ERROR", "The API cannot be reached; check your connection and retry.");
    }
    const parsed: unknown = await response.json().catch(() => undefined);
    if (response.ok && parsed !== undefined) return parsed as T;
    const error = (parsed as { error?: Record<string, unknown> } | undefined)?.error;
    throw new ApiError(
      response.status,
      typeof error?.code === "string" ? error.code : "UNEXPECTED_RESPONSE",
      typeof error?.message === "string" ? error.message : `The API answered HTTP ${response.status}.`,
      typeof error?.details === "object" && error.details !== null
        ? (error.details as Record<string, unknown>)
        : undefined,
      typeof error?.request_id === "string" ? error.request_id : undefined,
    );
  }
}
