import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { GatesClient } from "../../sdk/gates-client";
import type { GuardResult } from "../../sdk/types";

/** One scripted answer: a JSON body, raw text, or no answer at all. */
export type ScriptedReply =
  | { status: number; body: unknown; headers?: Record<string, string> }
  | { status: number; text: string }
  | { network_error: true };

/**
 * A golden case of `guard`: the answers the API gives, in order (the last one repeats), and
 * what guard must conclude and ask. The Python client replays the same files.
 */
export interface GuardCase {
  name: string;
  input: {
    task_id: string;
    tool_name: string;
    tool_input: Record<string, unknown>;
    max_wait_ms?: number;
    replies: ScriptedReply[];
  };
  expected: {
    result: { allowed: boolean; decision: "ALLOW" | "DENY"; request_id?: string; reason?: string };
    /** For reasons that quote a platform's own network message. */
    reason_starts_with?: string;
    /** `METHOD path?query` of each request sent. */
    calls: string[];
  };
}

const DIR = join(__dirname, "../../contracts/fixtures/guard");

export function guardCases(): GuardCase[] {
  return readdirSync(DIR)
    .filter((f) => f.endsWith(".json"))
    .map((f) => JSON.parse(readFileSync(join(DIR, f), "utf8")) as GuardCase);
}

/** Retries as fast as possible: the cases are about what is retried, not how long it waits. */
export const FAST_RETRY = { attempts: 3, baseDelayMs: 1, maxDelayMs: 2 } as const;

/** Runs the TypeScript SDK's guard against a case's scripted answers. */
export async function runGuardCase(c: GuardCase): Promise<{ result: GuardResult; calls: string[] }> {
  const calls: string[] = [];
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    const u = new URL(String(url));
    calls.push(`${init?.method ?? "GET"} ${u.pathname}${u.search}`);
    const reply = c.input.replies[Math.min(calls.length - 1, c.input.replies.length - 1)];
    if (!reply) throw new Error("no reply scripted");
    if ("network_error" in reply)
      throw new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED") });
    if ("text" in reply) return new Response(reply.text, { status: reply.status });
    return new Response(JSON.stringify(reply.body), {
      status: reply.status,
      headers: { "content-type": "application/json", ...reply.headers },
    });
  };
  const client = new GatesClient({
    url: "http://gates.test",
    auth: { token: "local:agent:guard" },
    retry: FAST_RETRY,
    fetch: fetchFn as typeof fetch,
  });
  const result = await client.guard(
    c.input.task_id,
    c.input.tool_name,
    c.input.tool_input,
    c.input.max_wait_ms !== undefined ? { maxWaitMs: c.input.max_wait_ms } : {},
  );
  return { result, calls };
}
