import { randomUUID } from "node:crypto";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import {
  CallToolRequestSchema,
  type CallToolResult,
  ListToolsRequestSchema,
  type Tool,
} from "@modelcontextprotocol/sdk/types.js";
import type { CreateTaskBody, TaskView } from "../contracts/api";
import type { GatewayConfig } from "./gateway-config";
import { type AgentControlPlane, frozenArguments, gateToolCall, toolError } from "./tool-call-gate";
import { type ExposureRules, exposedName, hiddenBecause, splitExposedName } from "./tool-exposure";
import type { GatewayLog, UpstreamServer } from "./upstream";

/** The control-plane calls a gateway makes: a task for each session, then the gate's agent calls. */
export interface GatewayControlPlane extends AgentControlPlane {
  createTask(body: CreateTaskBody): Promise<TaskView>;
}

/** What every session of one gateway process shares. */
export interface Gateway {
  readonly plane: GatewayControlPlane;
  readonly upstreams: ReadonlyMap<string, UpstreamServer>;
  readonly config: GatewayConfig;
  readonly log: GatewayLog;
}

/** The gateway's own identity in `initialize`. */
export const GATEWAY_INFO = { name: "approval-gates", version: "1" };

const DEFAULT_CALL_TIMEOUT_S = 60;
const DEFAULT_PROGRESS_INTERVAL_S = 10;

/**
 * One MCP session: the task it works in, registered on its first tool call (with the same body
 * each time, so a retry finds the same task), and the calls in flight, which the HTTP listener
 * aborts when their client goes away.
 */
export class GatewaySession {
  readonly taskId: string;
  private task: Promise<string> | undefined;
  private readonly inFlight = new Map<string, AbortController>();
  private readonly work = new Set<Promise<unknown>>();

  constructor(private readonly gateway: Gateway) {
    this.taskId = gateway.config.task.task_id ?? `mcp-${randomUUID()}`;
  }

  /** The session's task id, once registered; a failed registration is retried on the next call. */
  ensureTask(): Promise<string> {
    if (!this.task) {
      const attempt = this.gateway.plane
        .createTask({
          description: "MCP gateway session",
          ...this.gateway.config.task,
          task_id: this.taskId,
        })
        .then(() => this.taskId);
      this.task = attempt;
      attempt.catch(() => {
        if (this.task === attempt) this.task = undefined;
      });
    }
    return this.task;
  }

  /** Aborts one call in flight, by its JSON-RPC id. */
  abortCall(requestId: string | number): void {
    this.inFlight.get(String(requestId))?.abort();
  }

  /** Aborts every call in flight. */
  abortAll(): void {
    for (const controller of this.inFlight.values()) controller.abort();
  }

  /** Resolves once every call in flight has finished its clean-up (withdrawals, outcomes). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.work]);
  }

  /** Runs a call's work with its own abort controller joined to the client's cancellation. */
  async track<T>(
    requestId: string | number,
    clientSignal: AbortSignal,
    body: (signal: AbortSignal) => Promise<T>,
  ) {
    const controller = new AbortController();
    const key = String(requestId);
    this.inFlight.set(key, controller);
    // The client's cancellation aborts the call too (AbortSignal.any needs Node 20.3).
    if (clientSignal.aborted) controller.abort();
    else clientSignal.addEventListener("abort", () => controller.abort(), { once: true });
    const run = body(controller.signal);
    this.work.add(run);
    try {
      return await run;
    } finally {
      this.work.delete(run);
      if (this.inFlight.get(key) === controller) this.inFlight.delete(key);
    }
  }
}

/** Every offered tool, by exposed name, with the upstream it belongs to. */
async function offeredTools(
  gateway: Gateway,
): Promise<Map<string, { upstream: UpstreamServer; tool: Tool }>> {
  const rules = exposureRules(gateway.config);
  const offered = new Map<string, { upstream: UpstreamServer; tool: Tool }>();
  await Promise.all(
    [...gateway.upstreams.values()].map(async (upstream) => {
      let tools: Tool[];
      try {
        tools = await upstream.listTools();
      } catch (error) {
        // An upstream that is down offers nothing for now; the others still do.
        gateway.log(`upstream ${upstream.name} did not list its tools: ${(error as Error).message}`);
        return;
      }
      for (const tool of tools) {
        const name = exposedName(upstream.name, tool.name);
        const hidden = hiddenBecause(name, rules);
        if (hidden) gateway.log(`not offering ${name}: ${hidden}`);
        else offered.set(name, { upstream, tool: { ...tool, name } });
      }
    }),
  );
  return offered;
}

function exposureRules(config: GatewayConfig): ExposureRules {
  return { hide: config.hide ?? [], allowControlLike: config.allow_control_like ?? [] };
}

/**
 * The MCP server the agent talks to. It offers the upstreams' tools under `<upstream>__<tool>`
 * and nothing of its own: no approve, deny, cancel, grant or policy operation exists here. Each
 * `tools/call` goes through {@link gateToolCall}; a tool that is unknown or hidden is a tool
 * error and never reaches an upstream.
 */
export function createGatewayServer(gateway: Gateway, session: GatewaySession): Server {
  const server = new Server(GATEWAY_INFO, {
    capabilities: { tools: {} },
    instructions:
      "Every tool call is checked by Approval Gates before it runs. Some calls wait for a human; a refused call returns an error with the reason.",
  });
  const timeoutMs = (gateway.config.call_timeout_s ?? DEFAULT_CALL_TIMEOUT_S) * 1000;
  const progressIntervalS = gateway.config.progress_interval_s ?? DEFAULT_PROGRESS_INTERVAL_S;

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: [...(await offeredTools(gateway)).values()].map((o) => o.tool),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    const split = splitExposedName(name);
    const upstream = split ? gateway.upstreams.get(split.upstream) : undefined;
    if (!split || !upstream || hiddenBecause(name, exposureRules(gateway.config)))
      return toolError(
        `there is no tool ${JSON.stringify(name.slice(0, 200))} here; call tools/list for the tools offered`,
      );

    let args: Readonly<Record<string, unknown>>;
    try {
      args = frozenArguments(request.params.arguments);
    } catch (error) {
      return toolError(`the call is blocked: ${(error as Error).message}`);
    }
    const progressToken = extra._meta?.progressToken;
    let progress = 0;

    return session.track(extra.requestId, extra.signal, async (signal) => {
      let taskId: string;
      try {
        taskId = await session.ensureTask();
      } catch (error) {
        return toolError(
          `the call is blocked because the session's task could not be registered (${(error as Error).message})`,
        );
      }
      return gateToolCall(
        gateway.plane,
        {
          taskId,
          toolName: name,
          args,
          signal,
          ...(progressToken !== undefined
            ? {
                progress: (message: string) =>
                  extra.sendNotification({
                    method: "notifications/progress",
                    params: { progressToken, progress: ++progress, message },
                  }),
              }
            : {}),
          forward: (forwarded, forwardSignal) =>
            upstream.callTool(split.tool, forwarded as Record<string, unknown>, {
              timeoutMs,
              signal: forwardSignal,
            }),
        },
        { progressIntervalS, log: gateway.log },
      );
    });
  });
  return server;
}
