import * as inputs from "../../../contracts/inputs";
import { LIMITS } from "../../../contracts/limits";
import type { EvaluationDeps, SettingsDeps } from "../../core/control-plane/deps";
import { dryRunPolicies, getPolicies, publishPolicies } from "../../core/control-plane/policies";
import { createTask } from "../../core/control-plane/tasks";
import { decideAndRecordToolCall } from "../../core/control-plane/tool-calls";
import { ValidationError } from "../../core/errors";
import { sanitizeLine } from "../../core/sanitize";
import { type OperationsOf, ok } from "./operation";

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
): OperationsOf<EvaluationOperationId> {
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
): OperationsOf<"createTask" | "evaluateToolCall"> {
  return {
    createTask: {
      input: inputs.createTask,
      handle: async ({ principal, body }) => {
        const { created, view } = await createTask(deps, principal, body);
        return { status: created ? 201 : 200, body: view };
      },
    },
    evaluateToolCall: {
      input: inputs.evaluateToolCall,
      handle: async ({ principal, path, body, json }) =>
        ok(await decideAndRecordToolCall(deps, principal, path.task_id, toolCall(body, json))),
    },
  };
}

/** Read, publish and dry-run a repo's policies. */
export function policyOperations(
  deps: EvaluationDeps & SettingsDeps,
  info: PolicyInfo,
): OperationsOf<"getPolicies" | "publishPolicies" | "dryRunPolicies"> {
  return {
    getPolicies: {
      input: inputs.getPolicies,
      handle: async ({ path }) => ok(await getPolicies(deps, path.repo_id, info.builtinVersion)),
    },
    publishPolicies: {
      input: inputs.publishPolicies,
      handle: async ({ principal, path, body }) =>
        ok(await publishPolicies(deps, principal, path.repo_id, body, info.builtinVersion)),
    },
    dryRunPolicies: {
      input: inputs.dryRunPolicies,
      handle: async ({ principal, path, body, json }) =>
        ok(await dryRunPolicies(deps, principal, path.repo_id, toolCall(body, json))),
    },
  };
}

/**
 * A tool call as the use cases take it: the agent's input as sent, and its tool name sanitized, because the
 * name is stored, logged and shown wherever the call goes (the one pipeline sees that same name, so
 * grants and recent denials keep matching).
 */
function toolCall<B extends { tool_name: string }>(
  body: B,
  json: unknown,
): B & { tool_input: Record<string, unknown> } {
  // The input as sent, not zod's copy: the schema has checked it is an object.
  const rawInput = (json as { tool_input: Record<string, unknown> }).tool_input;
  const toolName = sanitizeLine(body.tool_name, LIMITS.maxToolNameLength);
  if (toolName === "") {
    const message = "must have a printable character; send the tool's name, e.g. Bash";
    throw new ValidationError(`tool_name ${message}.`, [{ field: "tool_name", message }]);
  }
  return { ...body, tool_name: toolName, tool_input: rawInput };
}
