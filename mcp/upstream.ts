import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { getDefaultEnvironment, StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult, Tool } from "@modelcontextprotocol/sdk/types.js";
import { expandVariables, type UpstreamConfig } from "./gateway-config";

/** How the gateway reports what happens to its upstreams; never the agent's channel. */
export type GatewayLog = (message: string) => void;

/** One upstream MCP server as the gateway uses it. */
export interface UpstreamServer {
  readonly name: string;
  /** Every tool the upstream offers, all pages. */
  listTools(): Promise<Tool[]>;
  /** Calls one tool; rejects when the upstream fails, closes or does not answer in time. */
  callTool(
    tool: string,
    args: Record<string, unknown>,
    options: { timeoutMs: number; signal: AbortSignal },
  ): Promise<CallToolResult>;
  close(): Promise<void>;
}

const CLIENT_INFO = { name: "approval-gates-gateway", version: "1" };
/** An upstream that cannot even start within this long is down. */
const CONNECT_TIMEOUT_MS = 15_000;

/**
 * An upstream reached through the MCP SDK client, over stdio (a command the gateway spawns with
 * exactly the configured environment) or Streamable HTTP (with the configured headers). It
 * connects on first use and again after it closed, so an upstream that died is retried on the
 * next call instead of failing every later one. Credentials are expanded from the gateway's own
 * environment when it starts and go only to the upstream.
 */
export function connectUpstream(
  name: string,
  config: UpstreamConfig,
  env: Readonly<Record<string, string | undefined>>,
  log: GatewayLog,
): UpstreamServer {
  const where = `upstreams.${name}`;
  const makeTransport = resolveTransport(name, config, env, where, log);
  let current: Promise<Client> | undefined;

  const client = (): Promise<Client> => {
    if (!current) {
      const attempt = (async () => {
        const c = new Client(CLIENT_INFO);
        c.onclose = () => {
          if (current === attempt) current = undefined;
          log(`upstream ${name} closed`);
        };
        await c.connect(makeTransport(), { timeout: CONNECT_TIMEOUT_MS });
        return c;
      })();
      current = attempt;
      // A failed start is forgotten, so the next call tries again.
      attempt.catch(() => {
        if (current === attempt) current = undefined;
      });
    }
    return current;
  };

  return {
    name,
    async listTools() {
      const c = await client();
      const tools: Tool[] = [];
      let cursor: string | undefined;
      do {
        const page = await c.listTools(cursor ? { cursor } : {}, { timeout: CONNECT_TIMEOUT_MS });
        tools.push(...page.tools);
        cursor = page.nextCursor;
      } while (cursor);
      return tools;
    },
    async callTool(tool, args, options) {
      const c = await client();
      return (await c.callTool({ name: tool, arguments: args }, undefined, {
        timeout: options.timeoutMs,
        signal: options.signal,
      })) as CallToolResult;
    },
    async close() {
      const c = await current?.catch(() => undefined);
      current = undefined;
      await c?.close();
    },
  };
}

function resolveTransport(
  name: string,
  config: UpstreamConfig,
  env: Readonly<Record<string, string | undefined>>,
  where: string,
  log: GatewayLog,
): () => Transport {
  if ("url" in config) {
    const headers = Object.fromEntries(
      Object.entries(config.headers ?? {}).map(([k, v]) => [
        k,
        expandVariables(v, env, `${where}.headers.${k}`),
      ]),
    );
    return () => new StreamableHTTPClientTransport(new URL(config.url), { requestInit: { headers } });
  }
  const args = (config.args ?? []).map((a, i) => expandVariables(a, env, `${where}.args[${i}]`));
  const upstreamEnv = {
    ...getDefaultEnvironment(),
    ...Object.fromEntries(
      Object.entries(config.env ?? {}).map(([k, v]) => [k, expandVariables(v, env, `${where}.env.${k}`)]),
    ),
  };
  return () => {
    const transport = new StdioClientTransport({
      command: config.command,
      args,
      env: upstreamEnv,
      ...(config.cwd ? { cwd: config.cwd } : {}),
      stderr: "pipe",
    });
    // The upstream's diagnostics go to the gateway's log, line by line, named.
    transport.stderr?.on("data", (chunk: Buffer) => {
      for (const line of chunk.toString("utf8").split("\n")) if (line.trim()) log(`${name}: ${line}`);
    });
    return transport;
  };
}
