import { readFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";

/** Where the hook finds its control plane and the task of each session. */
export interface HookSettings {
  readonly url: string;
  readonly token: string | undefined;
  readonly owner: string | undefined;
  readonly repo: string | undefined;
  /** An existing task to use for every session instead of one per session. */
  readonly taskId: string | undefined;
  /** Where the task of each session is remembered between hook runs. */
  readonly stateDir: string;
  /** Seconds Claude Code gives the hook before it cancels it. */
  readonly timeoutS: number;
}

/** Claude Code's own limit for a command hook when its configuration names none (hooks reference, "timeout"). */
export const CLAUDE_CODE_DEFAULT_TIMEOUT_S = 600;
/**
 * The budget when the configuration cannot be read: the real timeout is unknown, and waiting
 * past it would hand the call to Claude Code's permission flow instead of denying it.
 */
export const UNKNOWN_TIMEOUT_S = 60;

type Env = Readonly<Record<string, string | undefined>>;

/**
 * A setting from the plugin's options (`CLAUDE_PLUGIN_OPTION_<KEY>`, which Claude Code sets
 * from the values the user gave when enabling the plugin) or, for a hook installed by hand in
 * settings.json, from `GATES_<NAME>`.
 */
function setting(env: Env, option: string, variable: string): string | undefined {
  const value = env[`CLAUDE_PLUGIN_OPTION_${option}`] ?? env[variable];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The hook's settings; `hooksFile` is the plugin's hooks.json the timeout is read from. */
export function readHookSettings(env: Env, hooksFile: string | undefined): HookSettings {
  return {
    url: setting(env, "GATES_URL", "GATES_URL") ?? "http://127.0.0.1:3000",
    token: setting(env, "AGENT_TOKEN", "GATES_TOKEN"),
    owner: setting(env, "OWNER", "GATES_OWNER"),
    repo: setting(env, "REPO", "GATES_REPO"),
    taskId: env.GATES_TASK_ID?.trim() || undefined,
    stateDir: env.CLAUDE_PLUGIN_DATA ?? join(tmpdir(), `approval-gates-hook-${safeUser()}`),
    timeoutS: hookTimeoutS(env, readText(hooksFile)),
  };
}

function safeUser(): string {
  try {
    return String(userInfo().uid);
  } catch {
    return "user";
  }
}

/**
 * The hook's own timeout, from the one place it is configured: the `timeout` of the
 * PreToolUse handler in the plugin's hooks.json (given as text) that runs this hook.
 * `GATES_HOOK_TIMEOUT_S` stands in for a hook installed by hand. A handler without a timeout has
 * Claude Code's default; a file that is missing or not JSON gives a short budget.
 */
export function hookTimeoutS(env: Env, hooksConfig: string | undefined): number {
  const fromEnv = Number(env.GATES_HOOK_TIMEOUT_S);
  if (env.GATES_HOOK_TIMEOUT_S !== undefined && Number.isFinite(fromEnv) && fromEnv > 0) return fromEnv;
  if (hooksConfig === undefined) return UNKNOWN_TIMEOUT_S;
  let config: unknown;
  try {
    config = JSON.parse(hooksConfig);
  } catch {
    return UNKNOWN_TIMEOUT_S;
  }
  const groups = (config as { hooks?: { PreToolUse?: unknown } })?.hooks?.PreToolUse;
  for (const group of Array.isArray(groups) ? groups : []) {
    for (const handler of Array.isArray(group?.hooks) ? group.hooks : []) {
      const runsThisHook = JSON.stringify([handler?.command, handler?.args]).includes("gates-hook");
      if (runsThisHook && typeof handler.timeout === "number" && handler.timeout > 0) return handler.timeout;
    }
  }
  return CLAUDE_CODE_DEFAULT_TIMEOUT_S;
}

function readText(file: string | undefined): string | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * When the hook must have answered: before Claude Code cancels it, which would leave the call to
 * the normal permission flow rather than deny it. Counted from the process start, with a margin
 * for writing the answer.
 */
export function answerDeadline(startedAtMs: number, timeoutS: number): number {
  const margin = Math.min(5_000, timeoutS * 100);
  return startedAtMs + timeoutS * 1000 - margin;
}
