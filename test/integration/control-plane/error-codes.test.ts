import { INPUTS } from "../../../contracts/operations";
import { ROUTES } from "../../../lambdas/routes";
import { findFreePort } from "../../../local/dynamodb-local";
import { startLocalControlPlane } from "../../../local/local-control-plane";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, APPROVER, gatesClient, OTHER_AGENT, OWNER } from "../../support/gates-client";
import { postSigned } from "../slack/slack-fakes";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const codeOf = (body: unknown) => (body as { error: { code: string } }).error.code;

describe("documented error codes", () => {
  it("INVALID_JSON for a body that is not a JSON object", async () => {
    for (const body of ["[1]", '"x"', "{", "null"]) {
      const reply = await h.client.as(AGENT).post("/v1/tasks", body);
      expect([reply.status, codeOf(reply.body)]).toEqual([400, "INVALID_JSON"]);
    }
  });

  it("VALIDATION_ERROR listing each bad, missing and unknown field", async () => {
    const reply = await h.client
      .as(AGENT)
      .post("/v1/tasks", { repo: "not a repo", approval_timeout_s: 5, ownr: "alice" });
    expect(reply.status).toBe(400);
    const fields = (reply.body as { error: { details: { fields: { field: string }[] } } }).error.details
      .fields;
    expect(fields.map((f) => f.field).sort()).toEqual(["approval_timeout_s", "owner", "ownr", "repo"]);
  });

  it.each(
    ROUTES.filter((r) => r.method !== "GET" && !("rawBody" in INPUTS[r.operation])).map(
      (r) => [`${r.method} ${r.path}`, r] as const,
    ),
  )("VALIDATION_ERROR naming an unknown body field on %s", async (_name, route) => {
    const kinds = new Set<string>(route.principals === "anyone" ? [] : route.principals);
    const caller = kinds.has("agent") ? AGENT : kinds.has("admin") ? ADMIN : OWNER;
    const path = route.path
      .replace("{task_id}", "any-task")
      .replace("{repo_id}", "acme%2Fapp")
      .replace("{request_id}", "01JAAAAAAAAAAAAAAAAAAAAAAA")
      .replace("{lock_id}", "01JAAAAAAAAAAAAAAAAAAAAAAA");
    const res = await fetch(`${h.plane.url}${path}`, {
      method: route.method,
      headers: { authorization: `Bearer ${caller}`, "content-type": "application/json" },
      body: JSON.stringify({ bogus: 1 }),
    });
    const body = (await res.json()) as {
      error: { code: string; details: { fields?: { field: string }[]; problems?: { field: string }[] } };
    };
    // A settings document is refused whole, its shape included, with every problem listed.
    const settings = route.operation === "publishSettings";
    expect([res.status, body.error.code]).toEqual(
      settings ? [422, "SETTINGS_INVALID"] : [400, "VALIDATION_ERROR"],
    );
    const fields = (settings ? body.error.details.problems : body.error.details.fields) ?? [];
    expect(fields.map((f) => f.field)).toContain("bogus");
  });

  it("VALIDATION_ERROR for a bad scope, naming the field", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const reply = await h.client
      .as(OWNER)
      .post(`/v1/tasks/${taskId}/approve`, { request_id: requestId, scope: "command:*" });
    expect([reply.status, codeOf(reply.body)]).toEqual([400, "VALIDATION_ERROR"]);
  });

  it("UNAUTHENTICATED for a missing or malformed token", async () => {
    expect((await h.client.as(undefined).get("/v1/pending")).status).toBe(401);
    const reply = await h.client.as("local:robot:x").get("/v1/pending");
    expect([reply.status, codeOf(reply.body)]).toEqual([401, "UNAUTHENTICATED"]);
  });

  it("FORBIDDEN for an agent on a human route", async () => {
    const reply = await h.client.as(AGENT).get("/v1/pending");
    expect([reply.status, codeOf(reply.body)]).toEqual([403, "FORBIDDEN"]);
  });

  it("NOT_FOUND for an unknown route", async () => {
    const reply = await h.client.as(AGENT).get("/v1/nope");
    expect([reply.status, codeOf(reply.body)]).toEqual([404, "NOT_FOUND"]);
  });

  it("REQUEST_NOT_FOUND for an unknown request on a visible task", async () => {
    const taskId = await createTask(h.client);
    const reply = await h.client
      .as(OWNER)
      .post(`/v1/tasks/${taskId}/approve`, { request_id: "01JAAAAAAAAAAAAAAAAAAAAAAA" });
    expect([reply.status, codeOf(reply.body)]).toEqual([404, "REQUEST_NOT_FOUND"]);
  });

  it("GRANT_NOT_FOUND when revoking a scope the task does not hold", async () => {
    const taskId = await createTask(h.client);
    const reply = await h.client
      .as(APPROVER)
      .post(`/v1/tasks/${taskId}/grants/revoke`, { scope: "tool:Bash" });
    expect([reply.status, codeOf(reply.body)]).toEqual([404, "GRANT_NOT_FOUND"]);
  });

  it("CALL_NOT_FOUND for an outcome of a call that was not allowed, or whose outcome is recorded", async () => {
    const taskId = await createTask(h.client);
    const path = `/v1/tasks/${taskId}/tool-calls`;
    const denied = await h.client
      .as(AGENT)
      .post(path, { tool_name: "Bash", tool_input: { command: "rm -rf /" }, track_outcome: true });
    const allowed = await h.client
      .as(AGENT)
      .post(path, { tool_name: "Bash", tool_input: { command: "ls" }, track_outcome: true });
    const report = (event_seq: unknown) =>
      h.client
        .as(AGENT)
        .post(`/v1/tasks/${taskId}/outcomes`, { event_seq, outcome: "executed", duration_ms: 1 });

    const ofDenied = await report(denied.body.event_seq);
    const first = await report(allowed.body.event_seq);
    const again = await report(allowed.body.event_seq);

    expect([ofDenied.status, codeOf(ofDenied.body)]).toEqual([404, "CALL_NOT_FOUND"]);
    expect(first.status).toBe(200);
    expect([again.status, codeOf(again.body)]).toEqual([404, "CALL_NOT_FOUND"]);
  });

  it("TASK_EXISTS for a taken id with another body or another agent", async () => {
    const body = { task_id: "taken-1", owner: "alice", repo: "acme/app" };
    await h.client.as(AGENT).post("/v1/tasks", body);
    const otherBody = await h.client.as(AGENT).post("/v1/tasks", { ...body, read_only: true });
    const otherAgent = await h.client.as(OTHER_AGENT).post("/v1/tasks", body);
    expect([otherBody.status, codeOf(otherBody.body)]).toEqual([409, "TASK_EXISTS"]);
    expect([otherAgent.status, codeOf(otherAgent.body)]).toEqual([409, "TASK_EXISTS"]);
  });

  it("TASK_NOT_ACTIVE when cancelling a cancelled task", async () => {
    const taskId = await createTask(h.client);
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/cancel`, {});
    const reply = await h.client.as(OWNER).post(`/v1/tasks/${taskId}/cancel`, {});
    expect([reply.status, codeOf(reply.body)]).toEqual([409, "TASK_NOT_ACTIVE"]);
  });

  it("PAYLOAD_TOO_LARGE for a body over 256 KiB and a tool_input over 64 KiB", async () => {
    const taskId = await createTask(h.client);
    const path = `/v1/tasks/${taskId}/tool-calls`;
    const huge = await h.client
      .as(AGENT)
      .post(path, { tool_name: "Write", tool_input: { content: "x".repeat(300_000) } });
    const big = await h.client
      .as(AGENT)
      .post(path, { tool_name: "Write", tool_input: { content: "x".repeat(70_000) } });
    expect([huge.status, codeOf(huge.body)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
    expect([big.status, codeOf(big.body)]).toEqual([413, "PAYLOAD_TOO_LARGE"]);
  });

  it.each([
    ["arrays", (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`],
    ["objects", (n: number) => `${'{"k":'.repeat(n)}1${"}".repeat(n)}`],
    ["arrays in objects", (n: number) => `${'{"k":['.repeat(n / 2)}${"]}".repeat(n / 2)}`],
  ])(
    "VALIDATION_ERROR, never a 5xx, for %s nested thousands deep, on every door that parses JSON",
    async (_kind, nest) => {
      const taskId = await createTask(h.client);
      const deep = nest(30_000);
      const evaluate = await h.client
        .as(AGENT)
        .post(
          `/v1/tasks/${taskId}/tool-calls`,
          `{"tool_name":"Bash","tool_input":{"command":"ls","x":${deep}}}`,
        );
      const dryRun = await h.client
        .as(AGENT)
        .post("/v1/repos/acme%2Fapp/policies/evaluate", `{"tool_name":"Bash","tool_input":{"x":${deep}}}`);
      // Form-encoding triples the size, so Slack's payload nests less, still far past the limit.
      const form = new URLSearchParams({ payload: `{"type":"shortcut","x":${nest(10_000)}}` });
      const slack = await postSigned(h, "/v1/slack/interactions", form.toString());
      for (const reply of [evaluate, dryRun, slack]) {
        expect([reply.status, codeOf(reply.body)]).toEqual([400, "VALIDATION_ERROR"]);
        expect(JSON.stringify(reply.body)).toContain("64 levels deep");
      }
    },
  );

  it("RATE_LIMITED with retry-after past 120 pending listings a minute", async () => {
    const client = h.client.as("local:human:rate-tester");
    let last = await client.get("/v1/pending");
    for (let i = 0; i < 120 && last.status === 200; i++) last = await client.get("/v1/pending");
    expect([last.status, codeOf(last.body)]).toEqual([429, "RATE_LIMITED"]);
    expect(Number(last.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("SERVICE_UNAVAILABLE, never an ALLOW, when DynamoDB cannot be reached", async () => {
    const closedPort = await findFreePort();
    const plane = await startLocalControlPlane({
      dynamoEndpoint: `http://127.0.0.1:${closedPort}`,
      port: 0,
      onError: () => undefined,
      skipTableSetup: true,
    });
    try {
      const reply = await gatesClient(plane.url)
        .as(AGENT)
        .post("/v1/tasks/any/tool-calls", { tool_name: "Bash", tool_input: { command: "ls" } });
      expect([reply.status, codeOf(reply.body)]).toEqual([503, "SERVICE_UNAVAILABLE"]);
      expect(reply.body).not.toHaveProperty("decision");
    } finally {
      await plane.stop();
    }
  });
});
