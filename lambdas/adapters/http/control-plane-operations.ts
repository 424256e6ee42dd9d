import {
  ApproveBodySchema,
  CancelBodySchema,
  DenyBodySchema,
  EmptyQuerySchema,
  EventsQuerySchema,
  FinishBodySchema,
  LIMITS,
  PendingQuerySchema,
  ReportOutcomeBodySchema,
  RevokeGrantBodySchema,
  WaitQuerySchema,
  WithdrawBodySchema,
} from "../../../contracts/api";
import {
  decideApproval,
  getApproval,
  listPending,
  withdrawApproval,
} from "../../core/control-plane/approvals";
import type { ControlPlaneDeps, DecisionDeps } from "../../core/control-plane/deps";
import { reportOutcome } from "../../core/control-plane/outcomes";
import { cancelTask, finishTask, getTask, listEvents, revokeGrant } from "../../core/control-plane/tasks";
import type { GroupOperationId, OperationId } from "../../routes";
import { agent, caller, human, ok, requestId, taskId } from "./callers";
import type { EvaluationOperationId } from "./evaluation-operations";
import type { GovernanceOperationId } from "./governance-operations";
import { type OperationHandler, parseWith } from "./operation";

/** The operations served by `slackOperations`, which need Slack's own dependencies. */
export type SlackOperationId = "linkSlack" | "unlinkSlack" | "slackInteractions" | "slackCommands";

/** The operations that need tables but no policy engine: every route but the public, evaluating and Slack ones. */
export type ControlPlaneOperationId = Exclude<
  OperationId,
  SlackOperationId | EvaluationOperationId | GovernanceOperationId | "health" | "getOpenApi"
>;

/**
 * Every REST operation that needs tables but neither Cedar nor Slack, bound to its core use case.
 * Each handler takes only its own group's factory below, so its bundle carries no other group's code.
 */
export function controlPlaneOperations(
  deps: DecisionDeps,
): Record<ControlPlaneOperationId, OperationHandler> {
  return {
    ...agentTaskOperations(deps),
    ...waitOperations(deps),
    ...sharedOperations(deps),
    ...humanOperations(deps),
  };
}

/** The agent's own calls that need no policy engine: finish, report an outcome, withdraw a request. */
export function agentTaskOperations(
  deps: ControlPlaneDeps,
): Record<"finishTask" | "reportOutcome" | "withdrawApproval", OperationHandler> {
  return {
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
  };
}

/** The approval long-poll. */
export function waitOperations(deps: ControlPlaneDeps): Record<GroupOperationId<"wait">, OperationHandler> {
  return {
    getApproval: async (req) => {
      const { wait_s } = parseWith(WaitQuerySchema, req.query, "query");
      return ok(await getApproval(deps, caller(req), taskId(req), requestId(req), wait_s ?? 0));
    },
  };
}

/** Reads that agents and the task's humans share. */
export function sharedOperations(
  deps: ControlPlaneDeps,
): Record<GroupOperationId<"shared">, OperationHandler> {
  return {
    whoami: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      const p = caller(req);
      return ok({ kind: p.kind, id: p.id, admin: p.kind === "human" && p.admin });
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
  };
}

/** A human's calls: the pending list, decisions, cancel and revoke (Slack links, settings and locks aside). */
export function humanOperations(
  deps: DecisionDeps,
): Record<
  Exclude<GroupOperationId<"human">, "linkSlack" | "unlinkSlack" | GovernanceOperationId>,
  OperationHandler
> {
  return {
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
  };
}
