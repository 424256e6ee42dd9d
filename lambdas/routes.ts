/**
 * The route manifest: every REST route, who may call it and which Lambda serves it. The
 * local server and the CDK API construct both read it; it is plain data so that reading it
 * loads no runtime code.
 */

/**
 * Who a route admits. `admin` is a human in the `gates-admins` group. `slack` is Slack itself:
 * no authorizer runs, the router passes the request on without a principal, and the operation
 * admits it only with a valid request signature.
 */
export type PrincipalKind = "agent" | "human" | "admin" | "slack";

/**
 * The Lambda functions that serve routes, one per group. `wait` holds the long-poll alone, so
 * agents waiting on humans hold small functions of their own rather than the ones that decide.
 */
export const HANDLER_GROUPS = ["public", "agent", "wait", "shared", "human", "policies", "slack"] as const;

/** The Lambda function that serves a route. */
export type HandlerGroup = (typeof HANDLER_GROUPS)[number];

export type HttpMethod = "GET" | "POST" | "PUT" | "DELETE";

export interface RouteDef {
  readonly operation: string;
  readonly method: HttpMethod;
  /** API Gateway resource path; `{name}` is a path parameter. */
  readonly path: string;
  /** `anyone` needs no credentials. */
  readonly principals: readonly PrincipalKind[] | "anyone";
  readonly group: HandlerGroup;
}

export const ROUTES = [
  { operation: "health", method: "GET", path: "/v1/health", principals: "anyone", group: "public" },
  {
    operation: "getOpenApi",
    method: "GET",
    path: "/v1/openapi.json",
    principals: "anyone",
    group: "public",
  },
  {
    operation: "whoami",
    method: "GET",
    path: "/v1/whoami",
    principals: ["agent", "human"],
    group: "shared",
  },
  { operation: "createTask", method: "POST", path: "/v1/tasks", principals: ["agent"], group: "agent" },
  {
    operation: "evaluateToolCall",
    method: "POST",
    path: "/v1/tasks/{task_id}/tool-calls",
    principals: ["agent"],
    group: "agent",
  },
  {
    operation: "finishTask",
    method: "POST",
    path: "/v1/tasks/{task_id}/finish",
    principals: ["agent"],
    group: "agent",
  },
  {
    operation: "reportOutcome",
    method: "POST",
    path: "/v1/tasks/{task_id}/outcomes",
    principals: ["agent"],
    group: "agent",
  },
  {
    operation: "withdrawApproval",
    method: "POST",
    path: "/v1/tasks/{task_id}/approvals/{request_id}/withdraw",
    principals: ["agent"],
    group: "agent",
  },
  {
    operation: "getApproval",
    method: "GET",
    path: "/v1/tasks/{task_id}/approvals/{request_id}",
    principals: ["agent", "human"],
    group: "wait",
  },
  {
    operation: "getTask",
    method: "GET",
    path: "/v1/tasks/{task_id}",
    principals: ["agent", "human"],
    group: "shared",
  },
  {
    operation: "listEvents",
    method: "GET",
    path: "/v1/tasks/{task_id}/events",
    principals: ["agent", "human"],
    group: "shared",
  },
  { operation: "listPending", method: "GET", path: "/v1/pending", principals: ["human"], group: "human" },
  {
    operation: "approve",
    method: "POST",
    path: "/v1/tasks/{task_id}/approve",
    principals: ["human"],
    group: "human",
  },
  {
    operation: "deny",
    method: "POST",
    path: "/v1/tasks/{task_id}/deny",
    principals: ["human"],
    group: "human",
  },
  {
    operation: "cancelTask",
    method: "POST",
    path: "/v1/tasks/{task_id}/cancel",
    principals: ["human"],
    group: "human",
  },
  {
    operation: "revokeGrant",
    method: "POST",
    path: "/v1/tasks/{task_id}/grants/revoke",
    principals: ["human"],
    group: "human",
  },
  {
    operation: "getPolicies",
    method: "GET",
    path: "/v1/repos/{repo_id}/policies",
    principals: ["agent", "human"],
    group: "policies",
  },
  {
    operation: "publishPolicies",
    method: "PUT",
    path: "/v1/repos/{repo_id}/policies",
    principals: ["admin"],
    group: "policies",
  },
  {
    operation: "dryRunPolicies",
    method: "POST",
    path: "/v1/repos/{repo_id}/policies/evaluate",
    principals: ["agent", "human"],
    group: "policies",
  },
  {
    operation: "getSettings",
    method: "GET",
    path: "/v1/repos/{repo_id}/settings",
    principals: ["agent", "human"],
    group: "human",
  },
  {
    operation: "publishSettings",
    method: "PUT",
    path: "/v1/repos/{repo_id}/settings",
    principals: ["admin"],
    group: "human",
  },
  { operation: "placeLock", method: "POST", path: "/v1/locks", principals: ["admin"], group: "human" },
  { operation: "listLocks", method: "GET", path: "/v1/locks", principals: ["human"], group: "human" },
  {
    operation: "listLockEvents",
    method: "GET",
    path: "/v1/locks/events",
    principals: ["human"],
    group: "human",
  },
  {
    operation: "liftLock",
    method: "DELETE",
    path: "/v1/locks/{lock_id}",
    principals: ["admin"],
    group: "human",
  },
  { operation: "linkSlack", method: "POST", path: "/v1/slack/link", principals: ["human"], group: "human" },
  {
    operation: "unlinkSlack",
    method: "DELETE",
    path: "/v1/slack/link",
    principals: ["human"],
    group: "human",
  },
  {
    operation: "slackInteractions",
    method: "POST",
    path: "/v1/slack/interactions",
    principals: ["slack"],
    group: "slack",
  },
  {
    operation: "slackCommands",
    method: "POST",
    path: "/v1/slack/commands",
    principals: ["slack"],
    group: "slack",
  },
] as const satisfies readonly RouteDef[];

export type Route = (typeof ROUTES)[number];
export type OperationId = Route["operation"];
/** The operations one group's function serves. */
export type GroupOperationId<G extends HandlerGroup> = Extract<Route, { group: G }>["operation"];
