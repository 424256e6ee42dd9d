import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { EvaluationResponse } from "../contracts/api";
import { LIMITS, TASK_ID_PATTERN } from "../contracts/limits";
import { GatesApiError } from "../sdk/gates-api-error";
import type { HookControlPlane } from "./hook-client";
import type { HookSettings } from "./hook-config";
import type { PreToolUseInput } from "./hook-input";
import { judgedInput } from "./judged-input";

/**
 * What the hook tells Claude Code. `no_decision` prints nothing, so Claude Code's own permission
 * flow (its prompt, its allow and deny rules) still applies; `allow` skips that prompt and is
 * given only when a human approved the call or granted its scope; `deny` blocks it and Claude
 * reads the reason.
 */
export type HookAnswer =
  | { readonly kind: "no_decision"; readonly reason: string }
  | { readonly kind: "allow"; readonly reason: string }
  | { readonly kind: "deny"; readonly reason: string };

/** Remembers the task of each session between hook runs, so only the first call registers it. */
export interface SessionTasks {
  get(sessionId: string): string | undefined;
  remember(sessionId: string, taskId: string): void;
}

export interface HookDeps {
  readonly settings: HookSettings;
  readonly plane: HookControlPlane;
  readonly tasks: SessionTasks;
  /** When the answer must be ready (epoch ms): before Claude Code would cancel the hook. */
  readonly deadlineMs: number;
  readonly now?: () => number;
}

/**
 * The tools of the gates gateway, as the plugin installs it and as `claude mcp add gates` names
 * it: the gateway judges each call itself, so asking here too would ask twice. Any other MCP
 * server's tools are judged; adding a server is a write to Claude Code's config, which the
 * agent itself is never allowed.
 */
const GATEWAY_TOOL_PREFIXES = ["mcp__plugin_approval-gates_gates__", "mcp__gates__"] as const;

/** True for a call to one of the gates gateway's own tools. */
export function isGatewayTool(toolName: string): boolean {
  return GATEWAY_TOOL_PREFIXES.some((prefix) => toolName.startsWith(prefix));
}

/** A long-poll never runs into the deadline: it ends at least this long before it. */
const POLL_MARGIN_S = 1;

const deny = (reason: string): HookAnswer => ({ kind: "deny", reason });

/** A task id for a Claude Code session: stable, so every hook call of the session shares one task. */
export function taskIdForSession(sessionId: string): string {
  const id = `claude-${sessionId.replace(/[^A-Za-z0-9._:-]/g, "-")}`.slice(0, 128);
  return TASK_ID_PATTERN.test(id)
    ? id
    : `claude-${createHash("sha256").update(sessionId).digest("hex").slice(0, 32)}`;
}

/**
 * Decides one PreToolUse call: one evaluation (plus, on a session's first call, its task's
 * registration), then for REQUIRE_APPROVAL a wait for the human that stops before the hook's own
 * deadline and withdraws the request. Never throws: any error, refusal or unexpected answer is a
 * deny with the reason.
 */
export async function decidePreToolUse(input: PreToolUseInput, deps: HookDeps): Promise<HookAnswer> {
  const now = deps.now ?? Date.now;
  if (isGatewayTool(input.tool_name))
    return { kind: "no_decision", reason: "the gates gateway judges its own tools" };
  try {
    const task = await sessionTask(input, deps);
    if ("deny" in task) return deny(task.deny);

    const judged = judgedInput(input.tool_name, input.tool_input, LIMITS.maxToolInputBytes);
    if (judged.kind === "too_large")
      return deny(
        `the ${input.tool_name} input is ${judged.bytes} bytes, over the ${LIMITS.maxToolInputBytes}-byte limit, and only file writes can be judged by digest; split the call`,
      );
    const evaluation = await deps.plane.evaluate(
      task.taskId,
      {
        tool_name: input.tool_name,
        tool_input: judged.input,
        ...(input.tool_use_id ? { tool_use_id: input.tool_use_id } : {}),
      },
      deps.deadlineMs,
    );
    return await answerFor(evaluation, task.taskId, deps, now);
  } catch (error) {
    return deny(`the call is blocked because Approval Gates could not be asked (${describe(error)})`);
  }
}

async function sessionTask(
  input: PreToolUseInput,
  deps: HookDeps,
): Promise<{ taskId: string } | { deny: string }> {
  const { settings } = deps;
  if (settings.taskId) return { taskId: settings.taskId };
  const taskId = taskIdForSession(input.session_id);
  // Only the session's own id counts as remembered: a state file naming any other task is ignored.
  if (deps.tasks.get(input.session_id) === taskId) return { taskId };
  if (!settings.owner || !settings.repo)
    return { deny: "the plugin's owner and repo are not set (or GATES_TASK_ID), so no call can be checked" };
  try {
    // The same id and body every time, so a repeat finds the session's task as it was registered.
    await deps.plane.createTask(
      {
        task_id: taskId,
        owner: settings.owner,
        repo: settings.repo,
        description: `Claude Code session ${input.session_id}`.slice(0, 2000),
      },
      deps.deadlineMs,
    );
  } catch (error) {
    if (error instanceof GatesApiError && error.code === "TASK_EXISTS")
      return {
        deny: `task ${taskId} already exists with other settings, so this session's calls cannot be checked`,
      };
    // Who approves and what the task may skip are the repo's settings; the hook never works around them.
    if (error instanceof GatesApiError && error.code === "FORBIDDEN_BY_SETTINGS")
      return {
        deny: `the settings of repo ${settings.repo} refuse this session's task, so no call can run: ${error.message} (an admin can show them: gates repos settings show ${settings.repo})`,
      };
    throw error;
  }
  deps.tasks.remember(input.session_id, taskId);
  return { taskId };
}

async function answerFor(
  evaluation: EvaluationResponse,
  taskId: string,
  deps: HookDeps,
  now: () => number,
): Promise<HookAnswer> {
  switch (evaluation.decision) {
    case "ALLOW":
      // A grant is a human's decision for this scope; anything else leaves the call to Claude Code.
      return evaluation.source === "grant"
        ? { kind: "allow", reason: evaluation.reason }
        : { kind: "no_decision", reason: evaluation.reason };
    case "DENY":
      return deny(evaluation.reason || "denied by policy");
    case "REQUIRE_APPROVAL":
      return evaluation.request_id
        ? waitForHuman(taskId, evaluation.request_id, deps, now)
        : deny("unexpected answer");
    default:
      return deny(`unexpected decision ${String(evaluation.decision).slice(0, 40)}`);
  }
}

async function waitForHuman(
  taskId: string,
  requestId: string,
  deps: HookDeps,
  now: () => number,
): Promise<HookAnswer> {
  for (;;) {
    const waitS = Math.min(LIMITS.maxWaitS, Math.floor((deps.deadlineMs - now()) / 1000) - POLL_MARGIN_S);
    if (waitS < 1) {
      await deps.plane
        .withdraw(taskId, requestId, "the Claude Code hook reached its timeout", deps.deadlineMs)
        .catch(() => undefined);
      return deny(
        `no one decided request ${requestId} before the hook's ${deps.settings.timeoutS} s timeout, so the call is blocked and the request withdrawn; ask again, or approve it sooner`,
      );
    }
    const view = await deps.plane.getApproval(taskId, requestId, waitS, deps.deadlineMs);
    switch (view.status) {
      case "PENDING":
        continue;
      case "APPROVED":
        return {
          kind: "allow",
          reason: `approved by ${view.decided_by ?? "a human"}${view.scope && view.scope !== "this_call" ? ` (scope ${view.scope})` : ""}`,
        };
      case "DENIED":
        return deny(
          `denied by ${view.decided_by ?? "a human"}${view.deny_reason ? `: ${view.deny_reason}` : ""}`,
        );
      case "TIMED_OUT":
        return deny(`no one approved request ${requestId} before its deadline`);
      default:
        return deny(`request ${requestId} ended ${view.status}`);
    }
  }
}

function describe(error: unknown): string {
  if (error instanceof GatesApiError) return `${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}

/**
 * Session tasks in files under the plugin's data directory, one per session, readable by the
 * user only. A file that cannot be read or written only costs a repeated (idempotent) registration.
 */
export function fileSessionTasks(dir: string, url: string): SessionTasks {
  const fileOf = (sessionId: string) =>
    join(
      dir,
      `session-${createHash("sha256").update(`${url}\n${sessionId}`).digest("hex").slice(0, 32)}.json`,
    );
  return {
    get(sessionId) {
      try {
        const value: unknown = JSON.parse(readFileSync(fileOf(sessionId), "utf8"));
        const taskId = (value as { task_id?: unknown })?.task_id;
        return typeof taskId === "string" && TASK_ID_PATTERN.test(taskId) ? taskId : undefined;
      } catch {
        return undefined;
      }
    },
    remember(sessionId, taskId) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o700 });
        const file = fileOf(sessionId);
        writeFileSync(file, JSON.stringify({ task_id: taskId }), { mode: 0o600 });
        chmodSync(file, 0o600);
      } catch {
        // Not remembered: the next call registers the same task again, which the API answers with it.
      }
    },
  };
}
