import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { inputSha256 } from "../../../lambdas/core/hashing";
import { verifyChain } from "../../../lambdas/core/ledger";
import type { GatewayConfig } from "../../../mcp/gateway-config";
import { type RunningGateway, runGateway } from "../../../mcp/run-gateway";
import { GatesClient } from "../../../sdk";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { AGENT, OWNER, waitFor } from "../../support/gates-client";

const ROOT = join(__dirname, "../../..");
const FIXTURE = join(ROOT, "test/support/fixture-mcp-server.mjs");

let h: Harness;
let owner: GatesClient;
let dir: string;
let gateway: RunningGateway;
let taskId: string;
const callLog = () => join(dir, "calls.jsonl");
const pidFile = () => join(dir, "upstream.pid");

function configFor(task_id: string, extra: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    control_plane: { url: h.plane.url, token_env: "GATES_AGENT_TOKEN" },
    task: { task_id, owner: "alice", repo: "acme/app" },
    upstreams: {
      fixture: {
        command: process.execPath,
        args: [FIXTURE],
        env: {
          FIXTURE_CALL_LOG: callLog(),
          FIXTURE_PID_FILE: pidFile(),
          FIXTURE_SECRET: SECRET_REF,
        },
      },
    },
    hide: ["fixture__secret_*"],
    progress_interval_s: 1,
    call_timeout_s: 30,
    ...extra,
  };
}

const ENV = { GATES_AGENT_TOKEN: AGENT, FIXTURE_SECRET: "upstream-secret-1" };
/** How a gateway configuration names a variable of the gateway's environment. */
const SECRET_REF = ["$", "{FIXTURE_SECRET}"].join("");

/** What reached the upstream, in order. */
function upstreamCalls(): { name: string; arguments: Record<string, unknown> }[] {
  try {
    return readFileSync(callLog(), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  }
}

async function httpClient(url: string): Promise<Client> {
  const client = new Client({ name: "test-agent", version: "1" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url)));
  return client;
}

const textOf = (result: CallToolResult) =>
  result.content.map((c) => (c.type === "text" ? c.text : "")).join("");

async function pendingFor(marker: string) {
  return waitFor(
    async () => (await owner.pending()).find((p) => p.tool_input_preview.includes(marker)),
    10_000,
    `a pending request for ${marker}`,
  );
}

beforeAll(async () => {
  h = await startHarness();
  owner = new GatesClient({ url: h.plane.url, auth: { token: OWNER } });
  dir = mkdtempSync(join(tmpdir(), "gates-mcp-"));
  taskId = `mcp-test-${Date.now().toString(36)}`;
  gateway = await runGateway(configFor(taskId, { http: { port: 0 } }), { env: ENV, log: () => undefined });
});
afterAll(async () => {
  await gateway?.stop();
  await h.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("gates mcp over Streamable HTTP", () => {
  it("offers the upstream's tools, but nothing that approves, denies, cancels, grants or changes policy, and nothing hidden", async () => {
    const client = await httpClient(gateway.url as string);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(expect.arrayContaining(["fixture__run", "fixture__echo", "fixture__hang"]));
      expect(names.filter((n) => /approv|deny|cancel|grant|revok|polic/i.test(n))).toEqual([]);
      expect(names).not.toContain("fixture__secret_dump");

      for (const name of [
        "fixture__secret_dump",
        "fixture__approve_request",
        "fixture__grantAccess",
        "approve",
      ]) {
        const result = (await client.callTool({ name, arguments: {} })) as CallToolResult;
        expect(result.isError).toBe(true);
      }
      expect(upstreamCalls().map((c) => c.name)).not.toEqual(
        expect.arrayContaining(["secret_dump", "approve_request", "grantAccess"]),
      );
    } finally {
      await client.close();
    }
  });

  it("forwards an allowed call with exactly the arguments that were judged, and records it executed", async () => {
    const client = await httpClient(gateway.url as string);
    const args = { note: "allowed-1", nested: { list: [1, "two", { three: true }], empty: {} }, n: -0.5 };
    try {
      const result = (await client.callTool({ name: "fixture__echo", arguments: args })) as CallToolResult;

      expect(result.isError).toBeFalsy();
      expect(JSON.parse(textOf(result))).toEqual(args);
      expect(upstreamCalls().filter((c) => c.arguments.note === "allowed-1")).toEqual([
        { name: "echo", arguments: args },
      ]);
      const events = await owner.events(taskId);
      const evaluated = events.find(
        (e) => e.type === "tool_call.evaluated" && e.data.input_sha256 === inputSha256(args),
      );
      expect(evaluated?.data).toMatchObject({ tool_name: "fixture__echo", decision: "ALLOW" });
      expect(
        events.find((e) => e.type === "tool_call.outcome" && e.data.event_seq === evaluated?.seq)?.data,
      ).toMatchObject({
        outcome: "executed",
        tool_name: "fixture__echo",
        result_sha256: inputSha256(result),
      });
      expect(verifyChain(events)).toEqual({ ok: true });
    } finally {
      await client.close();
    }
  });

  it("forwards what was judged and nothing else, even for arguments that carry a __proto__ key", async () => {
    const client = await httpClient(gateway.url as string);
    try {
      const args = JSON.parse('{"note":"proto-1","__proto__":{"command":"rm -rf /"}}') as Record<
        string,
        unknown
      >;
      await client.callTool({ name: "fixture__echo", arguments: args });

      const received = upstreamCalls().filter((c) => c.arguments.note === "proto-1");
      const judged = (await owner.events(taskId)).filter(
        (e) => e.type === "tool_call.evaluated" && e.data.tool_name === "fixture__echo",
      );
      for (const call of received)
        expect(judged.map((e) => e.data.input_sha256)).toContain(inputSha256(call.arguments));
    } finally {
      await client.close();
    }
  });

  it("hands the upstream its configured credentials, and nothing of the gateway's own", async () => {
    const client = await httpClient(gateway.url as string);
    try {
      const result = (await client.callTool({ name: "fixture__whoami", arguments: {} })) as CallToolResult;
      expect(JSON.parse(textOf(result))).toEqual({ secret_received: true, gates_token_visible: false });
      expect(JSON.stringify(await client.listTools())).not.toContain("upstream-secret-1");
    } finally {
      await client.close();
    }
  });

  it("fronts an upstream reached by URL, sending the headers the configuration names", async () => {
    const upstream = spawn(process.execPath, [FIXTURE, "--http"], {
      env: { ...process.env, FIXTURE_SECRET: "upstream-secret-1", FIXTURE_CALL_LOG: callLog() },
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        upstream.stdout.once("data", (chunk: Buffer) => resolve(chunk.toString("utf8").trim()));
        upstream.once("error", reject);
      });
      const viaUrl = await runGateway(
        {
          ...configFor(taskId, { http: { port: 0 } }),
          upstreams: { remote: { url, headers: { authorization: `Bearer ${SECRET_REF}` } } },
        },
        { env: ENV, log: () => undefined },
      );
      const client = await httpClient(viaUrl.url as string);
      try {
        const result = (await client.callTool({
          name: "remote__echo",
          arguments: { over: "http" },
        })) as CallToolResult;
        expect(JSON.parse(textOf(result))).toEqual({ over: "http" });
      } finally {
        await client.close();
        await viaUrl.stop();
      }
    } finally {
      upstream.kill();
    }
  });

  it("never forwards a denied call, and tells the agent why", async () => {
    const client = await httpClient(gateway.url as string);
    try {
      const result = (await client.callTool({
        name: "fixture__run",
        arguments: { command: "rm -rf / # denied-1" },
      })) as CallToolResult;

      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/^Approval Gates: denied: .*rm_rf_root/);
      expect(upstreamCalls().some((c) => String(c.arguments.command).includes("denied-1"))).toBe(false);
    } finally {
      await client.close();
    }
  });

  it("holds a soft-rule call with progress notifications until a human approves it by REST, then runs it", async () => {
    const client = await httpClient(gateway.url as string);
    const progress: string[] = [];
    try {
      const call = client.callTool(
        { name: "fixture__run", arguments: { command: "git push --force origin main # soft-1" } },
        undefined,
        { onprogress: (p) => progress.push(String(p.message)), timeout: 5_000, resetTimeoutOnProgress: true },
      );
      const pending = await pendingFor("soft-1");
      expect(upstreamCalls().some((c) => String(c.arguments.command).includes("soft-1"))).toBe(false);
      // Longer than the client's own 5 s request timeout: only the progress notifications keep it waiting.
      await waitFor(async () => (progress.length >= 7 ? true : undefined), 15_000, "progress notifications");
      await owner.approve(pending.task_id, pending.request_id);

      const result = (await call) as CallToolResult;

      expect(textOf(result)).toBe("ran: git push --force origin main # soft-1");
      expect(progress[0]).toContain(pending.request_id);
      const events = await owner.events(taskId);
      expect(
        events.find((e) => e.type === "tool_call.outcome" && e.data.request_id === pending.request_id)?.data,
      ).toMatchObject({
        outcome: "executed",
      });
    } finally {
      await client.close();
    }
  }, 30_000);

  it("gives a clean error and an upstream_error event when the upstream dies mid-call, and recovers on the next call", async () => {
    const client = await httpClient(gateway.url as string);
    try {
      const call = client.callTool({ name: "fixture__hang", arguments: { marker: "killed-1" } });
      await waitFor(async () =>
        upstreamCalls().some((c) => c.arguments.marker === "killed-1") ? true : undefined,
      );
      process.kill(Number(readFileSync(pidFile(), "utf8")), "SIGKILL");

      const result = (await call) as CallToolResult;

      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/allowed but its server failed/);
      const events = await owner.events(taskId);
      expect(events.at(-1)).toMatchObject({
        type: "tool_call.outcome",
        data: { outcome: "upstream_error", tool_name: "fixture__hang" },
      });
      const again = (await client.callTool({
        name: "fixture__echo",
        arguments: { after: "restart" },
      })) as CallToolResult;
      expect(JSON.parse(textOf(again))).toEqual({ after: "restart" });
    } finally {
      await client.close();
    }
  });

  it("withdraws the pending request when the client disconnects while it waits", async () => {
    const client = await httpClient(gateway.url as string);
    const call = client.callTool({
      name: "fixture__run",
      arguments: { command: "terraform apply # gone-1" },
    });
    call.catch(() => undefined);
    const pending = await pendingFor("gone-1");

    await client.close();

    const view = await waitFor(async () => {
      const v = await owner.getApproval(pending.task_id, pending.request_id);
      return v.status === "PENDING" ? undefined : v;
    });
    expect(view).toMatchObject({ status: "CANCELLED" });
    expect(view.decided_by).toBeUndefined();
    const decided = (await owner.events(pending.task_id)).find(
      (e) => e.type === "approval.decided" && e.data.request_id === pending.request_id,
    );
    expect(decided).toMatchObject({ actor: { kind: "agent" }, data: { withdrawn: true } });
    expect(upstreamCalls().some((c) => String(c.arguments.command).includes("gone-1"))).toBe(false);
  });

  it("answers a control plane that cannot be reached with a tool error, never a forwarded call", async () => {
    const down = await runGateway(
      {
        ...configFor(`mcp-down-${Date.now().toString(36)}`, { http: { port: 0 } }),
        control_plane: { url: "http://127.0.0.1:9", token_env: "GATES_AGENT_TOKEN" },
      },
      { env: ENV, log: () => undefined },
    );
    const client = await httpClient(down.url as string);
    try {
      const result = (await client.callTool({
        name: "fixture__echo",
        arguments: { note: "down-1" },
      })) as CallToolResult;
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/blocked/);
      expect(upstreamCalls().some((c) => c.arguments.note === "down-1")).toBe(false);
    } finally {
      await client.close();
      await down.stop();
    }
  });

  it("blocks every call of a session whose task the repo's settings refuse, naming the setting", async () => {
    const refusedTask = `mcp-refused-${Date.now().toString(36)}`;
    const refused = await runGateway(
      {
        ...configFor(refusedTask, { http: { port: 0 } }),
        task: { task_id: refusedTask, owner: "alice", repo: "acme/app", approvers: ["mallory"] },
      },
      { env: ENV, log: () => undefined },
    );
    const client = await httpClient(refused.url as string);
    try {
      const result = (await client.callTool({
        name: "fixture__echo",
        arguments: { note: "refused-1" },
      })) as CallToolResult;

      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/blocked.*setting approvers.*agents cannot choose who approves/);
      expect(upstreamCalls().some((c) => c.arguments.note === "refused-1")).toBe(false);
      await expect(owner.task(refusedTask)).rejects.toMatchObject({ code: "TASK_NOT_FOUND" });
    } finally {
      await client.close();
      await refused.stop();
    }
  });
});

describe("gates mcp over stdio, as an MCP client's config starts it", () => {
  let configPath: string;
  let stdioTask: string;
  beforeAll(() => {
    stdioTask = `mcp-stdio-${Date.now().toString(36)}`;
    configPath = join(dir, "gateway.json");
    writeFileSync(configPath, JSON.stringify(configFor(stdioTask)));
  });

  function stdioClient() {
    return new StdioClientTransport({
      command: process.execPath,
      args: [join(ROOT, "cli/bin/gates.cjs"), "mcp", "--config", configPath],
      env: { ...(process.env as Record<string, string>), ...ENV },
      stderr: "ignore",
    });
  }

  it("runs an allowed call, and withdraws a waiting request when the client goes away", async () => {
    const client = new Client({ name: "test-agent", version: "1" });
    await client.connect(stdioClient());
    const ok = (await client.callTool({
      name: "fixture__echo",
      arguments: { via: "stdio" },
    })) as CallToolResult;
    expect(JSON.parse(textOf(ok))).toEqual({ via: "stdio" });
    // The gateway process holds the agent token in its environment; its upstream never sees it.
    const who = (await client.callTool({ name: "fixture__whoami", arguments: {} })) as CallToolResult;
    expect(JSON.parse(textOf(who))).toEqual({ secret_received: true, gates_token_visible: false });

    const waiting = client.callTool({
      name: "fixture__run",
      arguments: { command: "kubectl delete pod x # stdio-1" },
    });
    waiting.catch(() => undefined);
    const pending = await pendingFor("stdio-1");
    await client.close();

    const view = await waitFor(async () => {
      const v = await owner.getApproval(stdioTask, pending.request_id);
      return v.status === "PENDING" ? undefined : v;
    });
    expect(view.status).toBe("CANCELLED");
    expect(verifyChain(await owner.events(stdioTask))).toEqual({ ok: true });
  }, 60_000);
});
