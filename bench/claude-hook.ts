import { spawn } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LocalControlPlane } from "../local/local-control-plane";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

// The plugin's own build, so the figures are those of what a user installs.
const { buildPlugin } = require("../scripts/build-plugin.cjs") as {
  buildPlugin(outDir: string): Promise<{ hook: string }>;
};

const REPO = join(__dirname, "..");

export interface ClaudeHookFigures {
  /** Median wall time of one hook run on the ALLOW path: node start, stdin, one evaluation, exit. */
  readonly hook_p50_ms: number;
  readonly hook_p90_ms: number;
  /** Median wall time of a bare `node` start with the same stdin, in interleaved runs: the floor any command hook pays. */
  readonly node_floor_p50_ms: number;
  /** Median of the one evaluation alone, sent from this process over a fresh connection as the hook sends it. */
  readonly evaluate_p50_ms: number;
  /** What is left of a hook run past the node start and the evaluation: the hook's own work. */
  readonly own_work_ms: number;
  readonly bundle_kb: number;
  readonly runs: number;
}

/** The target: the whole hook run, start to exit, per tool call. */
export const HOOK_TARGET_MS = 100;
/** Small enough that parsing it is no real part of a run. */
const HOOK_BUNDLE_TARGET_KB = 50;

/**
 * Runs the plugin's bundled PreToolUse hook `runs` times, as Claude Code does (a fresh `node`
 * per tool call, the payload on stdin), for a call no rule matches, on a session whose task
 * already exists: exactly one evaluation per run. Interleaved with bare `node` starts, so load
 * on the machine weighs on both alike.
 */
export async function benchClaudeHook(plane: LocalControlPlane, runs = 40): Promise<ClaudeHookFigures> {
  const root = mkdtempSync(join(tmpdir(), "gates-hook-bench-"));
  try {
    mkdirSync(join(root, "hooks"));
    copyFileSync(join(REPO, "claude-plugin/hooks/hooks.json"), join(root, "hooks/hooks.json"));
    const { hook } = await buildPlugin(join(root, "dist"));
    const env = {
      PATH: process.env.PATH ?? "",
      CLAUDE_PLUGIN_ROOT: root,
      CLAUDE_PLUGIN_DATA: join(root, "data"),
      CLAUDE_PLUGIN_OPTION_GATES_URL: plane.url,
      CLAUDE_PLUGIN_OPTION_AGENT_TOKEN: "local:agent:bench-hook",
      CLAUDE_PLUGIN_OPTION_OWNER: "alice",
      CLAUDE_PLUGIN_OPTION_REPO: "acme/app",
    };
    const payload = JSON.stringify({
      session_id: "bench-session",
      hook_event_name: "PreToolUse",
      permission_mode: "default",
      cwd: REPO,
      tool_name: "Bash",
      tool_input: { command: "git status" },
    });
    // Not spawnSync: the control plane answering the hook runs in this very process.
    const run = (args: string[]) =>
      new Promise<number>((resolve, reject) => {
        const started = process.hrtime.bigint();
        const child = spawn(process.execPath, args, { env });
        let out = "";
        child.stdout.on("data", (c: Buffer) => {
          out += c.toString("utf8");
        });
        child.stderr.on("data", (c: Buffer) => {
          out += c.toString("utf8");
        });
        child.once("error", reject);
        child.once("close", (code) => {
          if (code !== 0 || out !== "") reject(new Error(`the hook answered ${code}: ${out}`));
          else resolve(Number(process.hrtime.bigint() - started) / 1e6);
        });
        child.stdin.end(payload);
      });
    // The first run registers the session's task; every later one is the one-evaluation path.
    await run([hook]);
    const evaluate = () =>
      new Promise<number>((resolve, reject) => {
        const started = process.hrtime.bigint();
        const body = JSON.stringify({ tool_name: "Bash", tool_input: { command: "git status" } });
        const req = request(
          `${plane.url}/v1/tasks/claude-bench-session/tool-calls`,
          {
            method: "POST",
            headers: {
              authorization: `Bearer ${env.CLAUDE_PLUGIN_OPTION_AGENT_TOKEN}`,
              "content-type": "application/json",
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => resolve(Number(process.hrtime.bigint() - started) / 1e6));
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const hookMs: number[] = [];
    const nodeMs: number[] = [];
    const evaluateMs: number[] = [];
    for (let i = 0; i < runs; i++) {
      hookMs.push(await run([hook]));
      nodeMs.push(
        await run(["-e", "process.stdin.resume(); process.stdin.on('end', () => process.exit(0))"]),
      );
      evaluateMs.push(await evaluate());
    }
    for (const sample of [hookMs, nodeMs, evaluateMs]) sample.sort((a, b) => a - b);
    const hookP50 = percentile(hookMs, 50);
    const nodeP50 = percentile(nodeMs, 50);
    const evaluateP50 = percentile(evaluateMs, 50);
    return {
      hook_p50_ms: round(hookP50),
      hook_p90_ms: round(percentile(hookMs, 90)),
      node_floor_p50_ms: round(nodeP50),
      evaluate_p50_ms: round(evaluateP50),
      own_work_ms: round(hookP50 - nodeP50 - evaluateP50),
      bundle_kb: round(statSync(hook).size / 1024),
      runs,
    };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

export function claudeHookRows(f: ClaudeHookFigures): BenchRow[] {
  return [
    {
      figure: "Claude Code hook per tool call, p50",
      value: `${f.hook_p50_ms} ms = node ${f.node_floor_p50_ms} + evaluate ${f.evaluate_p50_ms} + own ${f.own_work_ms}`,
      target: `≤ ${HOOK_TARGET_MS} ms`,
      met: f.hook_p50_ms <= HOOK_TARGET_MS,
    },
    {
      figure: "Claude Code hook bundle",
      value: `${f.bundle_kb} KB`,
      target: `≤ ${HOOK_BUNDLE_TARGET_KB} KB`,
      met: f.bundle_kb <= HOOK_BUNDLE_TARGET_KB,
    },
  ];
}
