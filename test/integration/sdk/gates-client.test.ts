import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { GatesApiError, GatesClient, verifyLedger } from "../../../sdk";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER, waitFor } from "../../support/gates-client";

let h: Harness;
let agent: GatesClient;
let owner: GatesClient;
beforeAll(async () => {
  h = await startHarness();
  agent = new GatesClient({ url: h.plane.url, auth: { token: AGENT } });
  owner = new GatesClient({ url: h.plane.url, auth: { token: OWNER } });
});
afterAll(() => h.stop());

let counter = 0;
async function newTask(): Promise<string> {
  counter += 1;
  const task = await agent.createTask({
    task_id: `sdk-${Date.now().toString(36)}-${counter}`,
    owner: "alice",
    approvers: ["bob"],
    repo: "acme/app",
  });
  return task.task_id;
}

/** Resolves with the first pending request of a task once the agent has asked. */
function pendingRequestOf(taskId: string): Promise<string> {
  return waitFor(
    async () => (await owner.pending()).find((p) => p.task_id === taskId)?.request_id,
    5000,
    "a request",
  );
}

const FORCE_PUSH = { command: "git push --force origin main" };

describe("GatesClient against the local control plane", () => {
  it("registers a task idempotently and reads it back", async () => {
    const body = { task_id: `sdk-idem-${Date.now()}`, owner: "alice", repo: "acme/app" };
    const first = await agent.createTask(body);
    const again = await agent.createTask(body);
    expect(again.task_id).toBe(first.task_id);
    expect((await owner.task(first.task_id)).status).toBe("RUNNING");
  });

  it("evaluates, approves, and sees the decision in getApproval, pending and events", async () => {
    const taskId = await newTask();
    const e = await agent.evaluate(taskId, { tool_name: "Bash", tool_input: FORCE_PUSH });
    expect(e.decision).toBe("REQUIRE_APPROVAL");
    const requestId = String(e.request_id);
    expect((await owner.pending()).map((p) => p.request_id)).toContain(requestId);
    const approved = await owner.approve(taskId, requestId, "tool:Bash");
    expect(approved).toMatchObject({ status: "APPROVED", scope: "tool:Bash" });
    expect((await agent.getApproval(taskId, requestId)).status).toBe("APPROVED");
    expect((await agent.finish(taskId, { status: "COMPLETED" })).status).toBe("COMPLETED");
    const events = await owner.events(taskId);
    expect(events.map((ev) => ev.seq)).toEqual(events.map((_, i) => i + 1));
  });

  it("verifies a ledger against the task's head, and sees its last events deleted", async () => {
    // Prepare
    const taskId = await newTask();
    await agent.evaluate(taskId, { tool_name: "Bash", tool_input: { command: "ls" } });
    await agent.evaluate(taskId, { tool_name: "Bash", tool_input: { command: "pwd" } });
    const whole = await owner.verifyLedger(taskId);
    const { doc } = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint });
    await doc.send(
      new DeleteCommand({ TableName: h.plane.config.tables.Events, Key: { task_id: taskId, seq: 3 } }),
    );

    // Act
    const cut = await owner.verifyLedger(taskId);

    // Assess
    expect(whole).toMatchObject({ check: { ok: true }, head: { last_event_seq: 3 } });
    expect(verifyLedger(whole.events, whole.head)).toEqual({ ok: true });
    expect(cut.check).toMatchObject({ ok: false, seq: 3 });
    expect(cut.events).toHaveLength(2);
  });

  it("denies with a reason, revokes a grant, cancels, and reads policies and dry runs", async () => {
    const taskId = await newTask();
    const approvedOne = await agent.evaluate(taskId, {
      tool_name: "Bash",
      tool_input: { command: "terraform apply" },
    });
    await owner.approve(taskId, String(approvedOne.request_id), "tool:Bash");
    expect((await owner.revokeGrant(taskId, "tool:Bash")).grants).toEqual([]);
    const e = await agent.evaluate(taskId, { tool_name: "Bash", tool_input: FORCE_PUSH });
    const denied = await owner.deny(taskId, String(e.request_id), "not today");
    expect(denied).toMatchObject({ status: "DENIED", deny_reason: "not today" });
    expect((await owner.cancel(taskId, "done")).status).toBe("CANCELLED");
    expect((await owner.policies("acme/app")).hard.length).toBeGreaterThan(0);
    const dry = await agent.dryRun("acme/app", { tool_name: "Bash", tool_input: { command: "rm -rf /" } });
    expect(dry.decision).toBe("DENY");
    const admin = new GatesClient({ url: h.plane.url, auth: { token: ADMIN } });
    await expect(admin.publishPolicies("acme/bad", { policies: "forbid (" })).rejects.toMatchObject({
      status: 422,
      code: "POLICY_INVALID",
    });
  });

  it("throws a GatesApiError carrying the status, code, message and request id", async () => {
    const error = await owner.task("no-such-task").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GatesApiError);
    expect(error).toMatchObject({ status: 404, code: "TASK_NOT_FOUND" });
    expect((error as GatesApiError).requestId).toEqual(expect.any(String));
  });

  it("waitForDecision returns a still-pending view when its deadline comes first", async () => {
    const taskId = await newTask();
    const e = await agent.evaluate(taskId, { tool_name: "Bash", tool_input: FORCE_PUSH });
    const view = await agent.waitForDecision(taskId, String(e.request_id), { deadlineMs: Date.now() + 1000 });
    expect(view.status).toBe("PENDING");
  });
});

describe("guard", () => {
  it("allows a harmless call and denies a hard-rule call", async () => {
    const taskId = await newTask();
    await expect(agent.guard(taskId, "Bash", { command: "ls" })).resolves.toMatchObject({ allowed: true });
    await expect(agent.guard(taskId, "Bash", { command: "rm -rf /" })).resolves.toMatchObject({
      allowed: false,
      decision: "DENY",
    });
  });

  it("waits on a soft rule and allows once a human approves", async () => {
    const taskId = await newTask();
    const verdict = agent.guard(taskId, "Bash", FORCE_PUSH);
    await owner.approve(taskId, await pendingRequestOf(taskId));
    await expect(verdict).resolves.toMatchObject({ allowed: true, decision: "ALLOW" });
  });

  it("waits on a soft rule and denies with the human's reason", async () => {
    const taskId = await newTask();
    const verdict = agent.guard(taskId, "Bash", FORCE_PUSH);
    await owner.deny(taskId, await pendingRequestOf(taskId), "use a PR");
    const result = await verdict;
    expect(result).toMatchObject({ allowed: false });
    expect(result.reason).toContain("use a PR");
  });

  it("denies when the request times out while it waits", async () => {
    const taskId = await newTask();
    const verdict = agent.guard(taskId, "Bash", FORCE_PUSH);
    await pendingRequestOf(taskId);
    h.clock.advance(601_000);
    const result = await verdict;
    expect(result).toMatchObject({ allowed: false, decision: "DENY" });
    expect(result.reason).toMatch(/deadline/);
  });

  it("fails closed when the control plane cannot be reached", async () => {
    const offline = new GatesClient({
      url: "http://127.0.0.1:9",
      auth: { token: AGENT },
      retry: { attempts: 2, baseDelayMs: 1 },
    });
    const result = await offline.guard("t", "Bash", { command: "ls" });
    expect(result).toMatchObject({ allowed: false, decision: "DENY" });
    expect(result.reason).toContain("NETWORK_ERROR");
  });

  it("fails closed on a 503", async () => {
    const server: Server = createServer((_req, res) => {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "SERVICE_UNAVAILABLE", message: "down", request_id: "r1" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const client = new GatesClient({ url: `http://127.0.0.1:${port}`, auth: { token: AGENT } });
      const result = await client.guard("t", "Bash", { command: "ls" });
      expect(result).toMatchObject({ allowed: false, decision: "DENY" });
      expect(result.reason).toContain("SERVICE_UNAVAILABLE");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
