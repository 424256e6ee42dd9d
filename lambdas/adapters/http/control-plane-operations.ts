import * as inputs from "../../../contracts/inputs";
import { LIMITS } from "../../../contracts/limits";
import { decideApproval, withdrawApproval } from "../../core/control-plane/approvals";
import type { ControlPlaneDeps, DecisionDeps } from "../../core/control-plane/deps";
import { getApproval } from "../../core/control-plane/long-poll";
import { reportOutcome } from "../../core/control-plane/outcomes";
import { listPending } from "../../core/control-plane/pending";
import { cancelTask, finishTask, getTask, listEvents, revokeGrant } from "../../core/control-plane/tasks";
import type { GroupOperationId, OperationId } from "../../routes";
import type { EvaluationOperationId } from "./evaluation-operations";
import type { GovernanceOperationId } from "./governance-operations";
import { type OperationsOf, ok } from "./operation";

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
export function controlPlaneOperations(deps: DecisionDeps): OperationsOf<ControlPlaneOperationId> {
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
): OperationsOf<"finishTask" | "reportOutcome" | "withdrawApproval"> {
  return {
    finishTask: {
      input: inputs.finishTask,
      handle: async (req) => ok(await finishTask(deps, req.principal, req.path.task_id, req.body)),
    },
    reportOutcome: {
      input: inputs.reportOutcome,
      handle: async (req) => ok(await reportOutcome(deps, req.principal, req.path.task_id, req.body)),
    },
    withdrawApproval: {
      input: inputs.withdrawApproval,
      handle: async ({ principal, path, body }) =>
        ok(await withdrawApproval(deps, principal, path.task_id, path.request_id, body.reason)),
    },
  };
}

/** The approval long-poll. */
export function waitOperations(deps: ControlPlaneDeps): OperationsOf<GroupOperationId<"wait">> {
  return {
    getApproval: {
      input: inputs.getApproval,
      handle: async ({ principal, path, query }) =>
        ok(await getApproval(deps, principal, path.task_id, path.request_id, query.wait_s ?? 0)),
    },
  };
}

/** Reads that agents and the task's humans share. */
export function sharedOperations(deps: ControlPlaneDeps): OperationsOf<GroupOperationId<"shared">> {
  return {
    whoami: {
      input: inputs.whoami,
      handle: async ({ principal: p }) =>
        ok({ kind: p.kind, id: p.id, admin: p.kind === "human" && p.admin }),
    },
    getTask: {
      input: inputs.getTask,
      handle: async (req) => ok(await getTask(deps, req.principal, req.path.task_id)),
    },
    listEvents: {
      input: inputs.listEvents,
      handle: async ({ principal, path, query }) =>
        ok(
          await listEvents(
            deps,
            principal,
            path.task_id,
            query.after_seq ?? 0,
            query.limit ?? LIMITS.defaultListLimit,
          ),
        ),
    },
  };
}

/** A human's calls: the pending list, decisions, cancel and revoke (Slack links, settings and locks aside). */
export function humanOperations(
  deps: DecisionDeps,
): OperationsOf<Exclude<GroupOperationId<"human">, "linkSlack" | "unlinkSlack" | GovernanceOperationId>> {
  return {
    listPending: {
      input: inputs.listPending,
      handle: async ({ principal, query: q }) =>
        ok(
          await listPending(deps, principal, {
            ...(q.limit !== undefined ? { limit: q.limit } : {}),
            ...(q.next_token !== undefined ? { nextToken: q.next_token } : {}),
            ...(q.repo !== undefined ? { repo: q.repo } : {}),
          }),
        ),
    },
    approve: {
      input: inputs.approve,
      handle: async ({ principal, path, body }) =>
        ok(
          await decideApproval(deps, principal, path.task_id, {
            requestId: body.request_id,
            outcome: "APPROVED",
            via: "api",
            ...(body.scope !== undefined ? { scope: body.scope } : {}),
          }),
        ),
    },
    deny: {
      input: inputs.deny,
      handle: async ({ principal, path, body }) =>
        ok(
          await decideApproval(deps, principal, path.task_id, {
            requestId: body.request_id,
            outcome: "DENIED",
            via: "api",
            ...(body.reason !== undefined ? { reason: body.reason } : {}),
          }),
        ),
    },
    cancelTask: {
      input: inputs.cancelTask,
      handle: async (req) => ok(await cancelTask(deps, req.principal, req.path.task_id, req.body)),
    },
    revokeGrant: {
      input: inputs.revokeGrant,
      handle: async ({ principal, path, body }) =>
        ok(await revokeGrant(deps, principal, path.task_id, body.scope)),
    },
  };
}
