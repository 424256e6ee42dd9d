import {
  CreateTaskBodySchema,
  DryRunBodySchema,
  EmptyQuerySchema,
  EvaluateBodySchema,
  LIMITS,
  PublishPoliciesBodySchema,
} from "../../../contracts/api";
import type { EvaluationDeps, SettingsDeps } from "../../core/control-plane/deps";
import { evaluateCall } from "../../core/control-plane/evaluate-call";
import { dryRunPolicies, getPolicies, publishPolicies } from "../../core/control-plane/policies";
import { createTask } from "../../core/control-plane/tasks";
import { ValidationError } from "../../core/errors";
import { sanitizeLine } from "../../core/sanitize";
import { adminOf, agent, caller, ok, repoId, taskId } from "./callers";
import { type OperationHandler, parseWith } from "./operation";

/** The operations that judge tool calls or read compiled policies, and so need Cedar and the shell parser. */
export type EvaluationOperationId =
  | "createTask"
  | "evaluateToolCall"
  | "getPolicies"
  | "publishPolicies"
  | "dryRunPolicies";

/** The operations that evaluate policies, bound to their core use cases. */
export function evaluationOperations(
  deps: EvaluationDeps & SettingsDeps,
  info: PolicyInfo,
): Record<EvaluationOperationId, OperationHandler> {
  return { ...agentEvaluationOperations(deps), ...policyOperations(deps, info) };
}

/** What policy views show besides the rules. */
export interface PolicyInfo {
  /** Fingerprint of the built-in rules, shown in policy views. */
  readonly builtinVersion: string;
}

/** The agent's calls that judge: register a task (which pins its policies) and evaluate a tool call. */
export function agentEvaluationOperations(
  deps: EvaluationDeps & SettingsDeps,
): Record<"createTask" | "evaluateToolCall", OperationHandler> {
  return {
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
  };
}

/** Read, publish and dry-run a repo's policies. */
export function policyOperations(
  deps: EvaluationDeps & SettingsDeps,
  info: PolicyInfo,
): Record<"getPolicies" | "publishPolicies" | "dryRunPolicies", OperationHandler> {
  return {
    getPolicies: async (req) => {
      parseWith(EmptyQuerySchema, req.query, "query");
      return ok(await getPolicies(deps, repoId(req), info.builtinVersion));
    },

    publishPolicies: async (req) => {
      const body = parseWith(PublishPoliciesBodySchema, req.body, "body");
      const admin = adminOf(req, "Publishing policies");
      return ok(await publishPolicies(deps, admin, repoId(req), body, info.builtinVersion));
    },

    dryRunPolicies: async (req) => {
      const body = parseWith(DryRunBodySchema, req.body, "body");
      const rawInput = (req.body as { tool_input: Record<string, unknown> }).tool_input;
      return ok(await dryRunPolicies(deps, caller(req), repoId(req), toolCall(body, rawInput)));
    },
  };
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
