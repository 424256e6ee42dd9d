import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, request as httpRequest, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { inputSha256 } from "../../../lambdas/core/hashing";
import { GatesClient } from "../../../sdk";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER, waitFor } from "../../support/gates-client";

const ROOT = join(__dirname, "../../..");
const HOOKS_JSON = join(ROOT, "claude-plugin/hooks/hooks.json");
// The build script is plain Node, shared with `npm run build:plugin`.
const { buildPlugin } = require("../../../scripts/build-plugin.cjs") as {
  buildPlugin(outDir: string): Promise<{ hook: string; gateway: string }>;
};

let h: Harness;
let owner: GatesClient;
let work: string;
/** A plugin root laid out as Claude Code installs it: dist/ (the bundle) and hooks/hooks.json. */
let pluginRoot: string;
let proxy: Server;
let proxyUrl: string;
/** Requests that reached the control plane through the proxy, as "METHOD path". */
let seen: string[] = [];

/** The hook command exactly as hooks.json declares it, run by sh as Claude Code runs shell-form hooks. */
const hookCommand = () =>
  (
    JSON.parse(readFileSync(HOOKS_JSON, "utf8")) as {
      hooks: { PreToolUse: { hooks: { command: string }[] }[] };
    }
  ).hooks.PreToolUse[0]?.hooks[0]?.command as string;

interface HookRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly ms: number;
}

function runHook(payload: unknown, env: Record<string, string> = {}, root = pluginRoot): Promise<HookRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn("sh", ["-c", hookCommand()], {
      env: {
        PATH: process.env.PATH ?? "",
        CLAUDE_PLUGIN_ROOT: root,
        CLAUDE_PLUGIN_DATA: join(work, "data"),
        CLAUDE_PLUGIN_OPTION_GATES_URL: proxyUrl,
        CLAUDE_PLUGIN_OPTION_AGENT_TOKEN: AGENT,
        CLAUDE_PLUGIN_OPTION_OWNER: "alice",
        CLAUDE_PLUGIN_OPTION_REPO: "acme/app",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString("utf8");
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString("utf8");
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
    child.stdin.end(typeof payload === "string" ? payload : JSON.stringify(payload));
  });
}

let sessions = 0;
/** A PreToolUse payload as Claude Code documents it (hooks reference, "PreToolUse input"). */
function preToolUse(tool_name: string, tool_input: Record<string, unknown>, session_id = newSession()) {
  return {
    session_id,
    transcript_path: "/home/user/.claude/projects/p/transcript.jsonl",
    cwd: "/home/user/my-project",
    permission_mode: "default",
    hook_event_name: "PreToolUse",
    tool_name,
    tool_input,
    tool_use_id: `toolu_${sessions}`,
  };
}
function newSession() {
  sessions += 1;
  return `sess-${Date.now().toString(36)}-${sessions}`;
}

const decisionOf = (run: HookRun) =>
  (
    JSON.parse(run.stdout) as {
      hookSpecificOutput: { permissionDecision: string; permissionDecisionReason: string };
    }
  ).hookSpecificOutput;

async function pendingFor(marker: string) {
  return waitFor(
    async () => (await owner.pending()).find((p) => p.tool_input_preview.includes(marker)),
    10_000,
    `a pending request for ${marker}`,
  );
}

/** A plugin root whose hooks.json gives the hook `timeout` seconds. */
function rootWithTimeout(timeout: number): string {
  const root = mkdtempSync(join(work, "root-"));
  mkdirSync(join(root, "hooks"));
  mkdirSync(join(root, "dist"));
  copyFileSync(join(pluginRoot, "dist/gates-hook.js"), join(root, "dist/gates-hook.js"));
  const config = JSON.parse(readFileSync(HOOKS_JSON, "utf8"));
  config.hooks.PreToolUse[0].hooks[0].timeout = timeout;
  writeFileSync(join(root, "hooks/hooks.json"), JSON.stringify(config));
  return root;
}

beforeAll(async () => {
  h = await startHarness();
  owner = new GatesClient({ url: h.plane.url, auth: { token: OWNER } });
  work = mkdtempSync(join(tmpdir(), "gates-hook-"));
  pluginRoot = join(work, "plugin");
  mkdirSync(join(pluginRoot, "hooks"), { recursive: true });
  copyFileSync(HOOKS_JSON, join(pluginRoot, "hooks/hooks.json"));
  await buildPlugin(join(pluginRoot, "dist"));
  // Counts what the hook sends, then passes it on unchanged.
  const target = new URL(h.plane.url);
  proxy = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, "127.0.0.1", () => r()));
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
}, 60_000);
afterAll(async () => {
  proxy.closeAllConnections();
  await new Promise((r) => proxy.close(r));
  await h.stop();
  rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  seen = [];
});

describe("the Claude Code plugin's PreToolUse hook", () => {
  it("gives no decision when no rule matches, so Claude Code's own prompt still applies, with one API call once the session's task exists", async () => {
    const session = newSession();

    const first = await runHook(preToolUse("Bash", { command: "ls -la" }, session));
    const second = await runHook(preToolUse("Bash", { command: "curl -s https://example.com" }, session));

    expect([first.code, first.stdout]).toEqual([0, ""]);
    expect([second.code, second.stdout]).toEqual([0, ""]);
    const evaluate = `POST /v1/tasks/claude-${session}/tool-calls`;
    expect(seen).toEqual(["POST /v1/tasks", evaluate, evaluate]);
  });

  it("denies a hard-rule call with the reason Claude reads", async () => {
    const run = await runHook(preToolUse("Bash", { command: "rm -rf /" }));
    expect(run.code).toBe(0);
    expect(decisionOf(run)).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(/^Approval Gates: .*rm_rf_root/),
    });
  });

  it("waits for a human on a soft rule and allows once approved; a granted scope then allows without asking", async () => {
    const session = newSession();
    const asking = runHook(
      preToolUse("Bash", { command: "git push --force origin feature/hook-1" }, session),
    );
    const pending = await pendingFor("feature/hook-1");
    await owner.approve(pending.task_id, pending.request_id, "command:git push --force origin feature/*");

    const approved = await asking;
    const granted = await runHook(
      preToolUse("Bash", { command: "git push --force origin feature/hook-2" }, session),
    );

    expect(decisionOf(approved)).toMatchObject({
      permissionDecision: "allow",
      permissionDecisionReason:
        "Approval Gates: approved by alice (scope command:git push --force origin feature/*)",
    });
    expect(decisionOf(granted).permissionDecision).toBe("allow");
  });

  it("denies with the human's reason when the request is denied", async () => {
    const asking = runHook(preToolUse("Bash", { command: "terraform apply # hook-deny" }));
    const pending = await pendingFor("hook-deny");
    await owner.deny(pending.task_id, pending.request_id, "not on Fridays");

    expect(decisionOf(await asking)).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: "Approval Gates: denied by alice: not on Fridays",
    });
  });

  it("stops waiting before the timeout hooks.json gives it, denies, and withdraws the request", async () => {
    const root = rootWithTimeout(8);
    const session = newSession();

    const run = await runHook(
      preToolUse("Bash", { command: "kubectl delete ns hook-timeout" }, session),
      {},
      root,
    );

    expect(run.ms).toBeLessThan(8_000);
    expect(decisionOf(run)).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(/before the hook's 8 s timeout/),
    });
    const events = await owner.events(`claude-${session}`);
    expect(events.at(-1)).toMatchObject({
      type: "approval.decided",
      actor: { kind: "agent" },
      data: { status: "CANCELLED", withdrawn: true },
    });
  }, 20_000);

  it("judges a Write over the size limit by path, tool, hash and preview instead of refusing it", async () => {
    const content = `SECRET=1\n${"x".repeat(100_000)}`;
    const session = newSession();
    const asking = runHook(preToolUse("Write", { file_path: "/repo/.env", content }, session));
    const pending = await pendingFor('"/repo/.env"');
    expect(pending.rule_ids).toEqual(["write_env_file"]);
    // What was judged: the path, a preview, and the content's hash and size in place of the content.
    const judged = {
      file_path: "/repo/.env",
      content: `${content.slice(0, 1024)}…`,
      content_sha256: createHash("sha256").update(content).digest("hex"),
      content_bytes: Buffer.byteLength(content),
    };
    expect((await owner.getApproval(pending.task_id, pending.request_id)).tool_input_sha256).toBe(
      inputSha256(judged),
    );
    await owner.approve(pending.task_id, pending.request_id);
    expect(decisionOf(await asking).permissionDecision).toBe("allow");

    const plain = await runHook(preToolUse("Write", { file_path: "/repo/src/big.ts", content }, session));
    expect([plain.code, plain.stdout]).toEqual([0, ""]);
    const bash = await runHook(preToolUse("Bash", { command: `echo ${"y".repeat(70_000)}` }, session));
    expect(decisionOf(bash)).toMatchObject({ permissionDecision: "deny" });
  });

  it.each([
    ["stdin that is not JSON", "not json", {}],
    [
      "a payload that is not PreToolUse",
      { ...preToolUse("Bash", { command: "ls" }), hook_event_name: "PostToolUse" },
      {},
    ],
    [
      "a payload without tool_input",
      { session_id: "s", hook_event_name: "PreToolUse", tool_name: "Bash" },
      {},
    ],
    ["no agent token", preToolUse("Bash", { command: "ls" }), { CLAUDE_PLUGIN_OPTION_AGENT_TOKEN: "" }],
    ["no owner or repo", preToolUse("Bash", { command: "ls" }), { CLAUDE_PLUGIN_OPTION_OWNER: "" }],
    [
      "a control plane that is down",
      preToolUse("Bash", { command: "ls" }),
      { CLAUDE_PLUGIN_OPTION_GATES_URL: "http://127.0.0.1:9" },
    ],
    [
      "a token the control plane refuses",
      preToolUse("Bash", { command: "ls" }),
      { CLAUDE_PLUGIN_OPTION_AGENT_TOKEN: "local:human:alice" },
    ],
  ])("denies on %s", async (_name, payload, env) => {
    const run = await runHook(payload, env as Record<string, string>);
    expect(run.code).toBe(0);
    expect(decisionOf(run)).toMatchObject({ permissionDecision: "deny" });
  });

  it("denies every call of a session whose task the repo's settings refuse, naming the setting", async () => {
    const admin = new GatesClient({ url: h.plane.url, auth: { token: ADMIN } });
    await admin.publishSettings("hook-strict/app", { allowed_owners: ["alice"], owner_approves: true });

    const run = await runHook(preToolUse("Bash", { command: "ls" }), {
      CLAUDE_PLUGIN_OPTION_OWNER: "mallory",
      CLAUDE_PLUGIN_OPTION_REPO: "hook-strict/app",
    });

    expect(run.code).toBe(0);
    expect(decisionOf(run)).toMatchObject({
      permissionDecision: "deny",
      permissionDecisionReason: expect.stringMatching(
        /^Approval Gates: the settings of repo hook-strict\/app refuse this session's task.*setting allowed_owners/,
      ),
    });
    expect(seen).toEqual(["POST /v1/tasks"]);
  });

  it("denies an answer it does not understand", async () => {
    const odd = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ decision: "ALLOW" }));
    });
    await new Promise<void>((r) => odd.listen(0, "127.0.0.1", () => r()));
    try {
      const url = `http://127.0.0.1:${(odd.address() as AddressInfo).port}`;
      const run = await runHook(preToolUse("Bash", { command: "ls" }), {
        CLAUDE_PLUGIN_OPTION_GATES_URL: url,
        GATES_TASK_ID: "any-task",
      });
      expect(decisionOf(run)).toMatchObject({ permissionDecision: "deny" });
    } finally {
      odd.close();
    }
  });

  it("blocks the call with exit 2 when the hook cannot even start, or node dies before it answers", async () => {
    const missing = join(work, "no-such-plugin");
    const killed = mkdtempSync(join(work, "killed-"));
    mkdirSync(join(killed, "dist"));
    writeFileSync(join(killed, "dist/gates-hook.js"), 'process.kill(process.pid, "SIGKILL");\n');

    const notStarted = await runHook(preToolUse("Bash", { command: "ls" }), {}, missing);
    const died = await runHook(preToolUse("Bash", { command: "ls" }), {}, killed);

    expect(notStarted.code).toBe(2);
    expect(died.code).toBe(2);
  });
});

describe("the plugin's .mcp.json", () => {
  it("starts the bundled gateway with plain node, offering the configured upstream's tools", async () => {
    const config = join(work, "gateway.json");
    writeFileSync(
      config,
      JSON.stringify({
        control_plane: { url: proxyUrl, token_env: "GATES_AGENT_TOKEN" },
        task: { task_id: `plugin-mcp-${Date.now().toString(36)}`, owner: "alice", repo: "acme/app" },
        upstreams: {
          fixture: { command: process.execPath, args: [join(ROOT, "test/support/fixture-mcp-server.mjs")] },
        },
      }),
    );
    const server = (
      JSON.parse(readFileSync(join(ROOT, "claude-plugin/.mcp.json"), "utf8")) as {
        mcpServers: { gates: { command: string; args: string[]; env: Record<string, string> } };
      }
    ).mcpServers.gates;
    // What Claude Code substitutes before it starts a plugin's MCP server.
    const values: Record<string, string> = {
      CLAUDE_PLUGIN_ROOT: pluginRoot,
      "user_config.mcp_config": config,
      "user_config.agent_token": AGENT,
    };
    const substitute = (text: string) =>
      text.replace(/\$\{([^}]+)\}/g, (whole, name: string) => values[name] ?? whole);
    const client = new Client({ name: "claude-code", version: "1" });
    await client.connect(
      new StdioClientTransport({
        command: server.command,
        args: server.args.map(substitute),
        env: {
          PATH: process.env.PATH ?? "",
          ...Object.fromEntries(Object.entries(server.env).map(([k, v]) => [k, substitute(v)])),
        },
        stderr: "ignore",
      }),
    );
    try {
      expect((await client.listTools()).tools.map((t) => t.name)).toContain("fixture__echo");
      const result = await client.callTool({ name: "fixture__echo", arguments: { from: "plugin" } });
      expect(result.isError).toBeFalsy();
    } finally {
      await client.close();
    }
  }, 30_000);
});
