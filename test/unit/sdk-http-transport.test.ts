import { createAuthenticator } from "../../sdk/auth";
import { GatesApiError } from "../../sdk/gates-api-error";
import { GatesClient } from "../../sdk/gates-client";

/** A fetch that answers from a script, one reply per call, and records the calls. */
function scriptedFetch(replies: readonly (() => Response)[]) {
  const calls: { url: string; init: RequestInit | undefined }[] = [];
  const fetchFn = async (url: string | URL | Request, init?: RequestInit) => {
    calls.push({ url: String(url), init });
    const next = replies[Math.min(calls.length - 1, replies.length - 1)];
    if (!next) throw new Error("no reply scripted");
    return next();
  };
  return { calls, fetch: fetchFn as typeof fetch };
}

const json =
  (status: number, body: unknown, headers: Record<string, string> = {}) =>
  () =>
    new Response(JSON.stringify(body), {
      status,
      headers: { "content-type": "application/json", ...headers },
    });
const unavailable = json(503, { error: { code: "SERVICE_UNAVAILABLE", message: "down", request_id: "r-1" } });
const task = { task_id: "t1", status: "RUNNING", owner: "alice" };

function client(replies: readonly (() => Response)[], attempts = 3) {
  const fake = scriptedFetch(replies);
  const c = new GatesClient({
    url: "http://gates.test",
    auth: { token: "local:human:alice" },
    retry: { attempts, baseDelayMs: 1, maxDelayMs: 5 },
    fetch: fake.fetch,
  });
  return { c, calls: fake.calls };
}

describe("retries", () => {
  it("retries a GET on 503 and then succeeds", async () => {
    const { c, calls } = client([unavailable, unavailable, json(200, task)]);
    await expect(c.task("t1")).resolves.toMatchObject({ task_id: "t1" });
    expect(calls).toHaveLength(3);
  });

  it("gives up after the bounded number of attempts with the server's error", async () => {
    const { c, calls } = client([unavailable], 2);
    await expect(c.task("t1")).rejects.toMatchObject({
      status: 503,
      code: "SERVICE_UNAVAILABLE",
      requestId: "r-1",
    });
    expect(calls).toHaveLength(2);
  });

  it("never retries a non-idempotent call such as evaluate", async () => {
    const { c, calls } = client([unavailable, json(200, { decision: "ALLOW", reason: "", rule_ids: [] })]);
    await expect(c.evaluate("t1", { tool_name: "Bash", tool_input: {} })).rejects.toBeInstanceOf(
      GatesApiError,
    );
    expect(calls).toHaveLength(1);
  });

  it("retries createTask only when it names its task_id", async () => {
    const named = client([
      json(429, { error: { code: "RATE_LIMITED", message: "slow", request_id: "r" } }),
      json(201, task),
    ]);
    await named.c.createTask({ task_id: "t1", owner: "alice", repo: "acme/app" });
    expect(named.calls).toHaveLength(2);
    const unnamed = client([unavailable, json(201, task)]);
    await expect(unnamed.c.createTask({ owner: "alice", repo: "acme/app" })).rejects.toMatchObject({
      status: 503,
    });
    expect(unnamed.calls).toHaveLength(1);
  });

  it("does not retry a 4xx", async () => {
    const { c, calls } = client([
      json(404, { error: { code: "TASK_NOT_FOUND", message: "no", request_id: "r" } }),
    ]);
    await expect(c.task("t1")).rejects.toMatchObject({ status: 404, code: "TASK_NOT_FOUND" });
    expect(calls).toHaveLength(1);
  });
});

describe("requests and answers", () => {
  it("sends the bearer token and a JSON body", async () => {
    const { c, calls } = client([json(200, { decision: "ALLOW", reason: "ok", rule_ids: [] })]);
    await c.evaluate("t 1", { tool_name: "Bash", tool_input: { command: "ls" } });
    expect(calls[0]?.url).toBe("http://gates.test/v1/tasks/t%201/tool-calls");
    expect(calls[0]?.init?.headers).toMatchObject({ authorization: "Bearer local:human:alice" });
    expect(JSON.parse(String(calls[0]?.init?.body))).toEqual({
      tool_name: "Bash",
      tool_input: { command: "ls" },
    });
  });

  it("refuses an invalid body before sending it", async () => {
    const { c, calls } = client([json(200, task)]);
    await expect(c.createTask({ owner: "alice", repo: "not a repo!" })).rejects.toMatchObject({
      code: "INVALID_REQUEST",
    });
    expect(calls).toHaveLength(0);
  });

  it("treats an answer of the wrong shape as an error", async () => {
    const { c } = client([json(200, { decision: "MAYBE", reason: "", rule_ids: [] })]);
    await expect(c.evaluate("t1", { tool_name: "Bash", tool_input: {} })).rejects.toMatchObject({
      code: "UNEXPECTED_RESPONSE",
    });
  });

  it("guard denies an unexpected answer instead of throwing", async () => {
    const { c } = client([() => new Response("<html>", { status: 200 })]);
    await expect(c.guard("t1", "Bash", {})).resolves.toMatchObject({ allowed: false, decision: "DENY" });
  });

  it("follows next_after_seq through every page of events", async () => {
    const event = (seq: number) => ({ task_id: "t1", seq });
    const { c, calls } = client([
      json(200, { items: [event(1)], next_after_seq: 1 }),
      json(200, { items: [event(2)] }),
    ]);
    expect((await c.events("t1")).map((e) => e.seq)).toEqual([1, 2]);
    expect(calls[1]?.url).toContain("after_seq=1");
  });
});

describe("SigV4", () => {
  it("signs for execute-api with the region taken from the host", async () => {
    const sign = createAuthenticator({
      sigv4: { credentials: { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "secret" } },
    });
    const headers = await sign({
      method: "POST",
      url: new URL("https://abc.execute-api.eu-west-1.amazonaws.com/prod/v1/tasks"),
      headers: { "content-type": "application/json" },
      body: "{}",
    });
    expect(headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request/,
    );
    expect(headers).toHaveProperty("x-amz-date");
    expect(headers).not.toHaveProperty("host");
  });
});
