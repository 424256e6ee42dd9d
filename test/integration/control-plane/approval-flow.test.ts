import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ApprovalView, EvaluationResponse, PendingItem, TaskView } from "../../../contracts/api";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { type LedgerEvent, verifyChain } from "../../../lambdas/core/ledger";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { AGENT, APPROVER, OWNER, STRANGER } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const evaluate = (taskId: string, tool_input: Record<string, unknown>, tool_name = "Bash") =>
  h.client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, { tool_name, tool_input });

async function events(taskId: string): Promise<LedgerEvent[]> {
  const reply = await h.client
    .as(OWNER)
    .get<{ items: LedgerEvent[] }>(`/v1/tasks/${taskId}/events?limit=100`);
  return reply.body.items;
}

describe("the approval flow over HTTP", () => {
  it("creates a task that pins the built-in policy version, owner first among the settings' approvers", async () => {
    const reply = await h.client
      .as(AGENT)
      .post<TaskView>("/v1/tasks", { owner: "alice", approvers: ["bob"], repo: "acme/app" });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({
      status: "RUNNING",
      owner: "alice",
      approvers: ["alice", "bob"],
      agent_id: "agent-1",
      policy_version: 0,
      settings: { layer: "acme/*", version: 1 },
      approval_timeout_s: 300,
      last_event_seq: 1,
    });
    expect(reply.body.task_id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(reply.headers.get("x-request-id")).toBeTruthy();
  });

  it("answers a repeated create with the same body with 200 and the same task", async () => {
    const body = { task_id: "idem-1", owner: "alice", repo: "acme/app" };
    const first = await h.client.as(AGENT).post<TaskView>("/v1/tasks", body);
    const again = await h.client.as(AGENT).post<TaskView>("/v1/tasks", body);
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body).toEqual(first.body);
  });

  it("allows a harmless call, denies a hard rule, and appends one event each", async () => {
    const taskId = await createTask(h.client);
    const allow = await evaluate(taskId, { command: "git status" });
    const deny = await evaluate(taskId, { command: "rm -rf /" });
    expect(allow.body).toMatchObject({ decision: "ALLOW", source: "default_allow", event_seq: 2 });
    expect(deny.body).toMatchObject({
      decision: "DENY",
      source: "hard_deny",
      rule_ids: ["rm_rf_root"],
      event_seq: 3,
    });
    const task = await h.client.as(AGENT).get<TaskView>(`/v1/tasks/${taskId}`);
    expect(task.body.counters).toEqual({ tool_calls: 2, approvals_requested: 0 });
  });

  it("asks for approval, lists it for every approver, and a long-polling agent sees the approval", async () => {
    const taskId = await createTask(h.client);
    const asked = await evaluate(taskId, { command: "git push --force origin main" });
    expect(asked.body).toMatchObject({
      decision: "REQUIRE_APPROVAL",
      source: "soft_rule",
      rule_ids: ["force_push", "force_push_protected"],
      severity: "high",
      timeout_s: 300,
    });
    const requestId = String(asked.body.request_id);

    for (const who of [OWNER, APPROVER]) {
      const pending = await h.client.as(who).get<{ items: PendingItem[] }>("/v1/pending");
      expect(pending.body.items.map((i) => i.request_id)).toContain(requestId);
    }
    const waiting = h.client
      .as(AGENT)
      .get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}?wait_s=10`);
    const approved = await h.client
      .as(APPROVER)
      .post<ApprovalView>(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    const seen = await waiting;

    expect(approved.status).toBe(200);
    expect(seen.body).toMatchObject({
      status: "APPROVED",
      decided_by: "bob",
      via: "api",
      scope: "this_call",
    });
    const afterPending = await h.client.as(OWNER).get<{ items: PendingItem[] }>("/v1/pending");
    expect(afterPending.body.items.map((i) => i.request_id)).not.toContain(requestId);
    const task = await h.client.as(OWNER).get<TaskView>(`/v1/tasks/${taskId}`);
    expect(task.body).toMatchObject({ status: "RUNNING", pending_request_ids: [] });
  });

  it("grants a scope on approval, allows by it, and asks again once it is revoked", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await h.client
      .as(OWNER)
      .post(`/v1/tasks/${taskId}/approve`, { request_id: requestId, scope: "tool_type:Bash" });

    const granted = await evaluate(taskId, { command: "terraform apply" });
    expect(granted.body).toMatchObject({ decision: "ALLOW", source: "grant" });
    const revoked = await h.client
      .as(APPROVER)
      .post<TaskView>(`/v1/tasks/${taskId}/grants/revoke`, { scope: "tool:Bash" });
    expect(revoked.body.grants).toEqual([]);
    const asked = await evaluate(taskId, { command: "terraform apply" });
    expect(asked.body).toMatchObject({ decision: "REQUIRE_APPROVAL" });
  });

  it("stores a deny reason with secrets redacted, and then denies the same call for a minute", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const key = ["AKIA", "IOSFODNN7EXAMPLE"].join("");
    const denied = await h.client.as(OWNER).post<ApprovalView>(`/v1/tasks/${taskId}/deny`, {
      request_id: requestId,
      reason: `no \u001b[31mway\u001b[0m, key ${key}`,
    });
    expect(denied.body).toMatchObject({
      status: "DENIED",
      deny_reason: "no way, key [REDACTED:aws_access_key]",
    });

    const again = await evaluate(taskId, { command: "git push --force origin main" });
    expect(again.body).toMatchObject({ decision: "DENY", source: "recent_denial" });
    expect(JSON.stringify(await events(taskId))).not.toContain(key);
  });

  it("cancels every pending request with the task, and denies every later call", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const cancelled = await h.client
      .as(APPROVER)
      .post<TaskView>(`/v1/tasks/${taskId}/cancel`, { reason: "stop" });
    expect(cancelled.body).toMatchObject({ status: "CANCELLED", pending_request_ids: [] });
    const approval = await h.client.as(AGENT).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(approval.body).toMatchObject({ status: "CANCELLED", via: "system" });
    const after = await evaluate(taskId, { command: "ls" });
    expect(after.body).toMatchObject({ decision: "DENY", source: "task_state" });
  });

  it("finishes a task for its agent, closing pending requests", async () => {
    const taskId = await createTask(h.client);
    await requestApproval(h.client, taskId);
    const done = await h.client
      .as(AGENT)
      .post<TaskView>(`/v1/tasks/${taskId}/finish`, { status: "COMPLETED", summary: "ok" });
    expect(done.body).toMatchObject({ status: "COMPLETED", pending_request_ids: [] });
    const again = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/finish`, { status: "FAILED" });
    expect(again.status).toBe(409);
    expect(again.body).toMatchObject({
      error: { code: "TASK_NOT_ACTIVE", details: { status: "COMPLETED" } },
    });
  });

  it("keeps a ledger whose hash chain verifies, paginated in order", async () => {
    const taskId = await createTask(h.client);
    for (const command of ["ls", "pwd", "git status"]) await evaluate(taskId, { command });
    const requestId = await requestApproval(h.client, taskId);
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    const page1 = await h.client
      .as(AGENT)
      .get<{ items: LedgerEvent[]; next_after_seq?: number }>(`/v1/tasks/${taskId}/events?limit=3`);
    const page2 = await h.client
      .as(AGENT)
      .get<{ items: LedgerEvent[]; next_after_seq?: number }>(
        `/v1/tasks/${taskId}/events?after_seq=${page1.body.next_after_seq}&limit=100`,
      );
    const all = [...page1.body.items, ...page2.body.items];
    expect(all.map((e) => e.type)).toEqual([
      "task.created",
      "tool_call.evaluated",
      "tool_call.evaluated",
      "tool_call.evaluated",
      "approval.requested",
      "approval.decided",
    ]);
    expect(verifyChain(all)).toEqual({ ok: true });
    expect(all[5]?.data).toMatchObject({
      status: "APPROVED",
      decided_by: "alice",
      via: "api",
      severity: "high",
    });
  });

  it("keeps attributes other writers added to a request (the Slack message) when it is decided", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const { doc } = createDynamoClients({ region: "local", endpoint: h.plane.dynamoEndpoint });
    const Key = { task_id: taskId, request_id: requestId };
    const TableName = h.plane.config.tables.Approvals;
    await doc.send(
      new UpdateCommand({
        TableName,
        Key,
        UpdateExpression: "SET slack = :s",
        ExpressionAttributeValues: { ":s": { channel: "C1", ts: "1.000" } },
      }),
    );

    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    const item = (await doc.send(new GetCommand({ TableName, Key, ConsistentRead: true }))).Item;
    expect(item).toMatchObject({ status: "APPROVED", slack: { channel: "C1", ts: "1.000" } });
    expect(item).not.toHaveProperty("expiry_bucket");
  });

  it("hides a task from a stranger with 404, never 403", async () => {
    const taskId = await createTask(h.client);
    const reply = await h.client.as(STRANGER).get(`/v1/tasks/${taskId}`);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ error: { code: "TASK_NOT_FOUND" } });
  });
});
