import type { z } from "zod";
import {
  ApproveBodySchema,
  CancelBodySchema,
  CreateTaskBodySchema,
  DenyBodySchema,
  DryRunBodySchema,
  EmptyQuerySchema,
  EvaluateBodySchema,
  EventsQuerySchema,
  FinishBodySchema,
  LayerIdSchema,
  LIMITS,
  PendingQuerySchema,
  PublishPoliciesBodySchema,
  ReportOutcomeBodySchema,
  RequestIdSchema,
  RevokeGrantBodySchema,
  TaskIdSchema,
  WaitQuerySchema,
  WithdrawBodySchema,
} from "../../../contracts/api";
import {
  LiftLockBodySchema,
  LockIdSchema,
  PlaceLockBodySchema,
  RepoSettingsBodySchema,
} from "../../../contracts/governance";
import openApiDocument from "../../../contracts/openapi.json";
import {
  decideApproval,
  getApproval,
  listPending,
  withdrawApproval,
} from "../../core/control-plane/approvals";
import type { ControlPlaneDeps } from "../../core/control-plane/deps";
import { evaluateCall } from "../../core/control-plane/evaluate-call";
import { liftLock, listLockEvents, listLocks, placeLock } from "../../core/control-plane/locks";
import { reportOutcome } from "../../core/control-plane/outcomes";
import { dryRunPolicies, getPolicies, publishPolicies } from "../../core/control-plane/policies";
import { getSettings, publishSettings } from "../../core/control-plane/settings";
import {
  cancelTask,
  createTask,
  finishTask,
  getTask,
  listEvents,
  revokeGrant,
} from "../../core/control-plane/tasks";
import {
  type FieldProblem,
  ForbiddenError,
  SettingsInvalidError,
  UnauthenticatedError,
  ValidationError,
} from "../../core/errors";
import type { Principal } from "../../core/principal";
import { sanitizeLine } from "../../core/sanitize";
import type { OperationId } from "../../routes";
import { type OperationHandler, type OperationRequest, parseWith } from "./operation";

export interface ControlPlaneInfo {
  /** The deployed version, shown by health. */
  readonly version: string;
  /** Fingerprint of the built-in rules, shown in policy views. */
  readonly builtinVersion: string;
}

const ok = (body: unknown) => ({ status: 200 as const, body });

/** The operations served by `slackOperations`, which need Slack's own dependencies. */
export type SlackOperationId = "linkSlack" | "unlinkSlack" | "slackInteractions" | "slackCommands";

/** Every REST operation of the control plane but Slack's, bound to its core use case. */
export function controlPlaneOperations(
  deps: ControlPlaneDeps,
  info: ControlPlaneInfo,
): Record<Exclude<OperationId, SlackOperationId>, OperationHandler> {
  const operations: Record<Exclude<OperationId, SlackOperationId>, OperationHandler> = {
    health: async () => ok({ status: "ok", version: info.version }),

    // The committed document, which a test keeps equal to what the schemas generate.
    getOpenApi: async () => ok(openApiDocument),

    whoami: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      const p = caller(req);
      return ok({ kind: p.kind, id: p.id, admin: p.kind === "human" && p.admin });
    },

    createTask: async (req) => {
      const body = parseWith(CreateTaskBodySchema, req.body, "body");
      const { created, view } = await createTask(deps, agent(req), body);
      return { status: created ? 201 : 200, body: view };
    },

    evaluateToolCall: async (req) => {
      const body = parseWith(EvaluateBodySchema, req.body, "body");
      // The raw input, not zod's copy: zod drops keys such as "__proto__" that the agent did send.
      const rawInput = (req.body as { tool_input: Record<string, unknown> }).tool_input;
      return ok(await evaluateCall(deps, agent(req), taskId(req), toolCall(body, rawInput)));
    },

    finishTask: async (req) =>
      ok(await finishTask(deps, agent(req), taskId(req), parseWith(FinishBodySchema, req.body, "body"))),

    reportOutcome: async (req) =>
      ok(
        await reportOutcome(
          deps,
          agent(req),
          taskId(req),
          parseWith(ReportOutcomeBodySchema, req.body, "body"),
        ),
      ),

    withdrawApproval: async (req) => {
      const body = parseWith(WithdrawBodySchema, req.body, "body");
      return ok(await withdrawApproval(deps, agent(req), taskId(req), requestId(req), body.reason));
    },

    getApproval: async (req) => {
      const { wait_s } = parseWith(WaitQuerySchema, req.query, "query");
      return ok(await getApproval(deps, caller(req), taskId(req), requestId(req), wait_s ?? 0));
    },

    getTask: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      return ok(await getTask(deps, caller(req), taskId(req)));
    },

    listEvents: async (req) => {
      const q = parseWith(EventsQuerySchema, req.query, "query");
      return ok(
        await listEvents(
          deps,
          caller(req),
          taskId(req),
          q.after_seq ?? 0,
          q.limit ?? LIMITS.defaultListLimit,
        ),
      );
    },

    listPending: async (req) => {
      const q = parseWith(PendingQuerySchema, req.query, "query");
      return ok(
        await listPending(deps, human(req), {
          ...(q.limit !== undefined ? { limit: q.limit } : {}),
          ...(q.next_token !== undefined ? { nextToken: q.next_token } : {}),
          ...(q.repo !== undefined ? { repo: q.repo } : {}),
        }),
      );
    },

    approve: async (req) => {
      const body = parseWith(ApproveBodySchema, req.body, "body");
      return ok(
        await decideApproval(deps, human(req), taskId(req), {
          requestId: body.request_id,
          outcome: "APPROVED",
          via: "api",
          ...(body.scope !== undefined ? { scope: body.scope } : {}),
        }),
      );
    },

    deny: async (req) => {
      const body = parseWith(DenyBodySchema, req.body, "body");
      return ok(
        await decideApproval(deps, human(req), taskId(req), {
          requestId: body.request_id,
          outcome: "DENIED",
          via: "api",
          ...(body.reason !== undefined ? { reason: body.reason } : {}),
        }),
      );
    },

    cancelTask: async (req) =>
      ok(await cancelTask(deps, human(req), taskId(req), parseWith(CancelBodySchema, req.body, "body"))),

    revokeGrant: async (req) => {
      const body = parseWith(RevokeGrantBodySchema, req.body, "body");
      return ok(await revokeGrant(deps, human(req), taskId(req), body.scope));
    },

    getPolicies: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      return ok(await getPolicies(deps, repoId(req), info.builtinVersion));
    },

    publishPolicies: async (req) => {
      const body = parseWith(PublishPoliciesBodySchema, req.body, "body");
      const admin = adminOf(req, "Publishing policies");
      return ok(await publishPolicies(deps, admin, repoId(req), body, info.builtinVersion));
    },

    getSettings: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      caller(req);
      return ok(await getSettings(deps, repoId(req)));
    },

    publishSettings: async (req) => {
      const admin = adminOf(req, "Publishing settings");
      const layer = repoId(req);
      // Every problem of a settings document, its shape included, is one 422 that lists them all.
      let body: ReturnType<typeof RepoSettingsBodySchema.parse>;
      try {
        body = parseWith(RepoSettingsBodySchema, req.body, "body");
      } catch (error) {
        if (error instanceof ValidationError) throw new SettingsInvalidError(error.fields as FieldProblem[]);
        throw error;
      }
      return ok(await publishSettings(deps, admin, layer, body));
    },

    placeLock: async (req) => {
      const body = parseWith(PlaceLockBodySchema, req.body, "body");
      return { status: 201, body: await placeLock(deps, adminOf(req, "Placing a lock"), body) };
    },

    listLocks: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      human(req);
      return ok(await listLocks(deps));
    },

    listLockEvents: async (req) => {
      const q = parseWith(EventsQuerySchema, req.query, "query");
      human(req);
      return ok(await listLockEvents(deps, q.after_seq ?? 0, q.limit ?? LIMITS.defaultListLimit));
    },

    liftLock: async (req) => {
      const body = parseWith(LiftLockBodySchema, req.body, "body");
      const admin = adminOf(req, "Lifting a lock");
      return ok(await liftLock(deps, admin, pathParam(req, "lock_id", LockIdSchema), body));
    },

    dryRunPolicies: async (req) => {
      const body = parseWith(DryRunBodySchema, req.body, "body");
      const rawInput = (req.body as { tool_input: Record<string, unknown> }).tool_input;
      return ok(await dryRunPolicies(deps, caller(req), repoId(req), toolCall(body, rawInput)));
    },
  };
  return operations;
}

/**
 * A tool call as the use cases take it: the agent's raw input, and its tool name sanitized, because the
 * name is stored, logged and shown wherever the call goes (the one pipeline sees that same name, so
 * grants and recent denials keep matching).
 */
function toolCall<B extends { tool_name: string }>(
  body: B,
  rawInput: Record<string, unknown>,
): B & { tool_input: Record<string, unknown> } {
  const toolName = sanitizeLine(body.tool_name, LIMITS.maxToolNameLength);
  if (toolName === "") {
    const message = "must have a printable character; send the tool's name, e.g. Bash";
    throw new ValidationError(`tool_name ${message}.`, [{ field: "tool_name", message }]);
  }
  return { ...body, tool_name: toolName, tool_input: rawInput };
}

/** The router already checked the principal kind; this is the handler's own second check. */
function caller(req: OperationRequest): Principal {
  if (!req.principal)
    throw new UnauthenticatedError("Send credentials: SigV4 for agents, a Cognito token for humans.");
  return req.principal;
}

function agent(req: OperationRequest): Principal & { kind: "agent" } {
  const p = caller(req);
  if (p.kind !== "agent") throw new ForbiddenError("This route is for agents.");
  return p;
}

function human(req: OperationRequest): Principal & { kind: "human" } {
  const p = caller(req);
  if (p.kind !== "human") throw new ForbiddenError("This route is for humans.");
  return p;
}

/** Admin routes are checked by the router too; this is the handler's own second check. */
function adminOf(req: OperationRequest, what: string): Principal & { kind: "human" } {
  const p = human(req);
  if (!p.admin) throw new ForbiddenError(`${what} needs an admin.`);
  return p;
}

function pathParam(req: OperationRequest, name: string, schema: z.ZodType<string>): string {
  const value = req.pathParams[name];
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const message = parsed.error.issues[0]?.message ?? "is invalid";
    throw new ValidationError(`Path parameter ${name} ${message}.`, [{ field: name, message }]);
  }
  return parsed.data;
}

const taskId = (req: OperationRequest) => pathParam(req, "task_id", TaskIdSchema);
const requestId = (req: OperationRequest) => pathParam(req, "request_id", RequestIdSchema);
/** Repo routes take a layer id: a repo, `owner/*` or `*`, canonicalized. */
const repoId = (req: OperationRequest) => pathParam(req, "repo_id", LayerIdSchema);
