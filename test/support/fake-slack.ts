import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One Web API call as the fake received it. */
export interface FakeSlackCall {
  /** e.g. `chat.postMessage`. */
  readonly method: string;
  /** The arguments, with JSON-encoded fields (`blocks`, `metadata`, `view`, …) decoded. */
  readonly args: Record<string, unknown>;
  /** The bearer token, if one was sent. */
  readonly token?: string;
  /** Whether the fake answered it with a scripted failure. */
  readonly failed: boolean;
}

/** A message as the fake's channel holds it now. */
export interface FakeSlackMessage {
  readonly channel: string;
  readonly ts: string;
  text: unknown;
  blocks: unknown;
  readonly metadata: unknown;
  /** How many times `chat.update` changed it. */
  updates: number;
}

/** A scripted answer that is not a success. */
export type FakeSlackFailure =
  | { readonly status: 500 | 502 | 503 }
  /** Holds the call open, unanswered, until {@link FakeSlack.heal} or close: Slack not answering. */
  | { readonly hang: true }
  | { readonly status: 429; readonly retryAfterS: number }
  | { readonly error: string };

/** A fake Slack Web API on a free port, for the real `@slack/web-api` client. */
export interface FakeSlack {
  /** The base URL to hand to `slackApiUrl` / `SLACK_API_URL`, ending in `/api/`. */
  readonly apiUrl: string;
  /** Every call, in arrival order. */
  readonly calls: FakeSlackCall[];
  /** The calls of one method. */
  callsTo(method: string): FakeSlackCall[];
  /** Messages posted and not deleted, oldest first, optionally of one channel. */
  messages(channel?: string): FakeSlackMessage[];
  /**
   * Answers the next `times` calls of `method` (`"*"` for every method) with `failure`; failures
   * queue up in order. @default times Infinity, until {@link heal}
   */
  fail(method: string, failure: FakeSlackFailure, times?: number): void;
  /** Drops scripted failures of one method, or of all when none is given. */
  heal(method?: string): void;
  close(): Promise<void>;
}

/** Fields the client sends JSON-encoded inside a form body. */
const JSON_FIELDS = new Set(["blocks", "attachments", "metadata", "view", "user_auth_blocks"]);

function decodeArgs(body: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes("application/json")) {
    const parsed: unknown = body ? JSON.parse(body) : {};
    return typeof parsed === "object" && parsed !== null ? (parsed as Record<string, unknown>) : {};
  }
  const args: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    args[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return args;
}

/** Starts the fake on 127.0.0.1 and a free port. */
export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: FakeSlackCall[] = [];
  const stored: FakeSlackMessage[] = [];
  const failures = new Map<string, { failure: FakeSlackFailure; left: number }[]>();
  const held = new Set<ServerResponse>();
  let tsCounter = 0;

  const nextFailure = (method: string): FakeSlackFailure | undefined => {
    for (const key of [method, "*"]) {
      const queue = failures.get(key);
      const head = queue?.[0];
      if (queue === undefined || head === undefined) continue;
      head.left -= 1;
      if (head.left <= 0) queue.shift();
      return head.failure;
    }
    return undefined;
  };

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    const channel = String(args.channel ?? "");
    switch (method) {
      case "chat.postMessage": {
        tsCounter += 1;
        const ts = `${1_800_000_000 + tsCounter}.${String(tsCounter).padStart(6, "0")}`;
        const message = {
          channel,
          ts,
          text: args.text,
          blocks: args.blocks,
          metadata: args.metadata,
          updates: 0,
        };
        stored.push(message);
        return { ok: true, channel, ts, message: { ts, text: args.text } };
      }
      case "chat.update": {
        const message = stored.find((m) => m.channel === channel && m.ts === args.ts);
        if (!message) return { ok: false, error: "message_not_found" };
        message.text = args.text;
        message.blocks = args.blocks;
        message.updates += 1;
        return { ok: true, channel, ts: message.ts, text: args.text };
      }
      case "conversations.history": {
        const withMetadata = args.include_all_metadata === true || args.include_all_metadata === "true";
        const limit = Number(args.limit ?? 100);
        const newestFirst = stored
          .filter((m) => m.channel === channel)
          .reverse()
          .slice(0, limit);
        return {
          ok: true,
          has_more: false,
          messages: newestFirst.map((m) => ({
            type: "message",
            ts: m.ts,
            text: m.text,
            ...(withMetadata && m.metadata !== undefined ? { metadata: m.metadata } : {}),
          })),
        };
      }
      case "views.open":
        return { ok: true, view: { id: `V${calls.length}`, ...(args.view as Record<string, unknown>) } };
      case "chat.postEphemeral":
        return { ok: true, message_ts: `${1_800_000_000 + calls.length}.000000` };
      case "auth.test":
        return { ok: true, user_id: "UBOT", team_id: "TFAKE", bot_id: "BFAKE" };
      default:
        return { ok: true };
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const method = (req.url ?? "").replace(/^\/api\//, "").split("?")[0] ?? "";
    const args = decodeArgs(Buffer.concat(chunks).toString("utf8"), req.headers["content-type"]);
    const auth = req.headers.authorization;
    const failure = nextFailure(method);
    calls.push({
      method,
      args,
      failed: failure !== undefined,
      ...(auth ? { token: auth.replace(/^Bearer /, "") } : {}),
    });
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { "content-type": "application/json", ...headers });
      res.end(JSON.stringify(body));
    };
    if (failure === undefined) send(200, answer(method, args));
    else if ("hang" in failure) {
      held.add(res);
      res.on("close", () => held.delete(res));
    } else if ("error" in failure) send(200, { ok: false, error: failure.error });
    else if (failure.status === 429)
      send(429, { ok: false, error: "ratelimited" }, { "retry-after": String(failure.retryAfterS) });
    else send(failure.status, { ok: false, error: "internal_error" });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => {
      res.writeHead(400).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    apiUrl: `http://127.0.0.1:${port}/api/`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method),
    messages: (channel) => stored.filter((m) => channel === undefined || m.channel === channel),
    fail(method, failure, times = Number.POSITIVE_INFINITY) {
      const queue = failures.get(method) ?? [];
      queue.push({ failure, left: times });
      failures.set(method, queue);
    },
    heal(method) {
      if (method === undefined) failures.clear();
      else failures.delete(method);
      // Calls held open by a hang are answered as Slack would after an outage: try again.
      for (const res of held) res.writeHead(503, { "content-type": "application/json" }).end('{"ok":false}');
      held.clear();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
