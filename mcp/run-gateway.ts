import { randomUUID, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { GatesClient } from "../sdk/gates-client";
import { createGatewayServer, type Gateway, type GatewayControlPlane, GatewaySession } from "./gateway";
import { type GatewayConfig, GatewayConfigError } from "./gateway-config";
import { connectUpstream, type GatewayLog } from "./upstream";

/** A running gateway. */
export interface RunningGateway {
  /** The Streamable HTTP endpoint, when serving HTTP. */
  readonly url?: string;
  /** Resolves when the gateway has stopped (stdin closed, or {@link stop}). */
  readonly done: Promise<void>;
  stop(): Promise<void>;
}

export interface RunGatewayOptions {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly log: GatewayLog;
  /** The stdio streams to serve on. @default process.stdin / process.stdout */
  readonly stdin?: NodeJS.ReadableStream;
  readonly stdout?: NodeJS.WritableStream;
  /** A control plane to use instead of one built from the configuration (tests). */
  readonly plane?: GatewayControlPlane;
}

/** How long a stopping gateway gives calls in flight to withdraw their requests and record outcomes. */
const SETTLE_MS = 10_000;

/** Builds the shared part of a gateway: the control-plane client and the upstreams, from the configuration. */
export function buildGateway(config: GatewayConfig, options: RunGatewayOptions): Gateway {
  const cp = config.control_plane;
  let plane = options.plane;
  if (!plane) {
    const token = cp.token_env ? options.env[cp.token_env] : undefined;
    if (cp.token_env && !token)
      throw new GatewayConfigError(
        `control_plane.token_env names ${cp.token_env}, which is not set; export the agent token there.`,
      );
    if (!cp.sigv4 && !token)
      throw new GatewayConfigError("control_plane needs token_env (an agent token) or sigv4: true.");
    plane = new GatesClient({ url: cp.url, auth: cp.sigv4 ? { sigv4: {} } : { token: token as string } });
  }
  const upstreams = new Map(
    Object.entries(config.upstreams).map(([name, upstream]) => [
      name,
      connectUpstream(name, upstream, options.env, options.log),
    ]),
  );
  return { plane, upstreams, config, log: options.log };
}

/** Serves the gateway on stdio (one session) or on Streamable HTTP (a session per client), as configured. */
export async function runGateway(config: GatewayConfig, options: RunGatewayOptions): Promise<RunningGateway> {
  const gateway = buildGateway(config, options);
  return config.http ? serveHttp(gateway, config.http, options) : serveStdio(gateway, options);
}

async function closeUpstreams(gateway: Gateway): Promise<void> {
  await Promise.allSettled([...gateway.upstreams.values()].map((u) => u.close()));
}

async function settle(session: GatewaySession): Promise<void> {
  await Promise.race([session.settled(), new Promise((r) => setTimeout(r, SETTLE_MS).unref())]);
}

/**
 * One session over stdin/stdout. The SDK's stdio transport does not notice its client going
 * away, so the end of stdin closes it: calls in flight abort and withdraw their requests first.
 */
async function serveStdio(gateway: Gateway, options: RunGatewayOptions): Promise<RunningGateway> {
  const stdin = options.stdin ?? process.stdin;
  const stdout = options.stdout ?? process.stdout;
  const session = new GatewaySession(gateway);
  const server = createGatewayServer(gateway, session);
  const transport = new StdioServerTransport(stdin as never, stdout as never);
  let stopping: Promise<void> | undefined;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const stop = () => {
    stopping ??= (async () => {
      session.abortAll();
      await settle(session);
      await server.close().catch(() => undefined);
      await closeUpstreams(gateway);
      finish();
    })();
    return stopping;
  };
  stdin.once("end", () => void stop());
  stdin.once("close", () => void stop());
  await server.connect(transport);
  gateway.log(`gateway serving stdio, task ${session.taskId}`);
  return { done, stop };
}

/**
 * Streamable HTTP: each `initialize` opens a session with its own task; later requests carry
 * the `mcp-session-id` the SDK minted. A client whose connection drops while a call waits is
 * treated as gone (the Streamable HTTP transport alone would keep waiting for a reconnect that
 * never comes), so that call aborts and its request is withdrawn.
 */
async function serveHttp(
  gateway: Gateway,
  http: NonNullable<GatewayConfig["http"]>,
  options: RunGatewayOptions,
): Promise<RunningGateway> {
  const host = http.host ?? "127.0.0.1";
  const path = http.path ?? "/mcp";
  const token = http.token_env ? options.env[http.token_env] : undefined;
  if (http.token_env && !token)
    throw new GatewayConfigError(
      `http.token_env names ${http.token_env}, which is not set; export the client token there.`,
    );
  const sessions = new Map<string, { transport: StreamableHTTPServerTransport; session: GatewaySession }>();
  let allowedHosts: string[] = [];

  const refuse = (res: ServerResponse, status: number, message: string) => {
    res
      .writeHead(status, { "content-type": "application/json" })
      .end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    if (new URL(req.url ?? "/", "http://gateway").pathname !== path)
      return refuse(res, 404, `the MCP endpoint is ${path}`);
    if (token && !sameSecret(req.headers.authorization ?? "", `Bearer ${token}`))
      return refuse(res, 401, "send the gateway's client token as Authorization: Bearer <token>");
    const body = req.method === "POST" ? await readJson(req) : undefined;
    if (body === INVALID) return refuse(res, 400, "the body is not JSON");
    const sessionId = req.headers["mcp-session-id"];
    let entry = typeof sessionId === "string" ? sessions.get(sessionId) : undefined;
    if (!entry) {
      if (sessionId !== undefined || req.method !== "POST" || !isInitializeRequest(body))
        return refuse(res, sessionId === undefined ? 400 : 404, "no such session; start one with initialize");
      const session = new GatewaySession(gateway);
      const transport: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        // A page in a browser cannot reach the gateway through a rebound DNS name.
        enableDnsRebindingProtection: true,
        allowedHosts,
        onsessioninitialized: (id) => {
          sessions.set(id, created);
          gateway.log(`session ${id} opened, task ${session.taskId}`);
        },
      });
      const created = { transport, session };
      transport.onclose = () => {
        session.abortAll();
        if (transport.sessionId) sessions.delete(transport.sessionId);
      };
      await createGatewayServer(gateway, session).connect(transport);
      entry = created;
    }
    // A tools/call whose connection closes before its answer was sent is abandoned by its client.
    const calls = (Array.isArray(body) ? body : [body]).filter(
      (m): m is { id: string | number } =>
        typeof m === "object" &&
        m !== null &&
        (m as { method?: unknown }).method === "tools/call" &&
        "id" in m,
    );
    if (calls.length > 0) {
      const { session } = entry;
      res.on("close", () => {
        if (!res.writableFinished) for (const m of calls) session.abortCall(m.id);
      });
    }
    await entry.transport.handleRequest(req, res, body);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      gateway.log(`request failed: ${(error as Error).message}`);
      if (!res.headersSent) refuse(res, 500, "the gateway failed on this request");
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(http.port, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  // Known once listening (port 0 picks one), and before any session's transport is made.
  allowedHosts = [`${host}:${port}`, `localhost:${port}`, `127.0.0.1:${port}`];
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}${path}`;
  let finish: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finish = resolve;
  });
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const open = [...sessions.values()];
      for (const { session } of open) session.abortAll();
      await Promise.all(open.map(({ session }) => settle(session)));
      await Promise.allSettled(open.map(({ transport }) => transport.close()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await closeUpstreams(gateway);
      finish();
    })();
    return stopping;
  };
  gateway.log(`gateway serving Streamable HTTP on ${url}`);
  return { url, done, stop };
}

const INVALID = Symbol("invalid JSON");

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    // Twice the control plane's body limit: anything larger could never be judged anyway.
    if (size > 512 * 1024) return INVALID;
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString("utf8"));
  } catch {
    return INVALID;
  }
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
