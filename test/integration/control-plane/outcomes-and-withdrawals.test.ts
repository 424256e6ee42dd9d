import { inputSha256 } from "../../../lambdas/core/hashing";
import { verifyChain } from "../../../lambdas/core/ledger";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { AGENT, APPROVER, OTHER_AGENT, OWNER } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const codeOf = (body: unknown) => (body as { error: { code: string } }).error.code;

async function events(taskId: string) {
  const reply = await h.client
    .as(OWNER)
    .get<{ items: { type: string; actor: unknown; data: Record<string, unknown> }[] }>(
      `/v1/tasks/${taskId}/events?limit=100`,
    );
  return reply.body.items;
}

describe("outcomes of allowed calls", () => {
  it("an evaluation answers the hash of the input it judged", async () => {
    const taskId = await createTask(h.client);
    const tool_input = { command: "ls -la", b: [1, { z: true, a: "x" }] };
    const reply = await h.client
      .as(AGENT)
      .post(`/v1/tasks/${taskId}/tool-calls`, { tool_name: "Bash", tool_input });
    expect(reply.body.input_sha256).toBe(inputSha256(tool_input));
  });

  it("records an executed ALLOW with the tool and input hash the control plane judged, on the chain", async () => {
    const taskId = await createTask(h.client);
    const tool_input = { command: "ls" };
    const allowed = await h.client
      .as(AGENT)
      .post(`/v1/tasks/${taskId}/tool-calls`, { tool_name: "Bash", tool_input, track_outcome: true });

    const reply = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/outcomes`, {
      event_seq: allowed.body.event_seq,
      outcome: "executed",
      duration_ms: 42,
      result_sha256: "a".repeat(64),
    });

    expect(reply.status).toBe(200);
    const items = await events(taskId);
    expect(items.at(-1)).toMatchObject({
      type: "tool_call.outcome",
      actor: { kind: "agent", id: "agent-1" },
      data: {
        event_seq: allowed.body.event_seq,
        tool_name: "Bash",
        input_sha256: inputSha256(tool_input),
        outcome: "executed",
        duration_ms: 42,
        result_sha256: "a".repeat(64),
      },
    });
    expect(verifyChain(items as never)).toEqual({ ok: true });
  });

  it("records an upstream error of a call a human approved, with the error passed through the secret scanner", async () => {
    const taskId = await createTask(h.client);
    const asked = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
      track_outcome: true,
    });
    const requestId = String(asked.body.request_id);
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    const reply = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/outcomes`, {
      request_id: requestId,
      outcome: "upstream_error",
      duration_ms: 7,
      error: "connection reset; token ghp_abcdefghijklmnopqrstuvwxyz0123456789",
    });

    expect(reply.status).toBe(200);
    const last = (await events(taskId)).at(-1);
    expect(last).toMatchObject({
      type: "tool_call.outcome",
      data: { request_id: requestId, outcome: "upstream_error" },
    });
    expect(String(last?.data.error)).not.toContain("ghp_");
  });

  it("refuses an outcome naming both or neither of event_seq and request_id, and outcomes of another agent's task", async () => {
    const taskId = await createTask(h.client);
    const path = `/v1/tasks/${taskId}/outcomes`;
    const neither = await h.client.as(AGENT).post(path, { outcome: "executed", duration_ms: 1 });
    const both = await h.client.as(AGENT).post(path, {
      event_seq: 2,
      request_id: "01JAAAAAAAAAAAAAAAAAAAAAAA",
      outcome: "executed",
      duration_ms: 1,
    });
    const decides = await h.client
      .as(AGENT)
      .post(path, { event_seq: 2, outcome: "APPROVED", duration_ms: 1 });
    const stranger = await h.client
      .as(OTHER_AGENT)
      .post(path, { event_seq: 1, outcome: "executed", duration_ms: 1 });

    expect([neither.status, codeOf(neither.body)]).toEqual([400, "VALIDATION_ERROR"]);
    expect([both.status, codeOf(both.body)]).toEqual([400, "VALIDATION_ERROR"]);
    expect([decides.status, codeOf(decides.body)]).toEqual([400, "VALIDATION_ERROR"]);
    expect([stranger.status, codeOf(stranger.body)]).toEqual([404, "TASK_NOT_FOUND"]);
  });

  it("keeps open only the calls whose caller said it would report them", async () => {
    const taskId = await createTask(h.client);
    const untracked = await h.client
      .as(AGENT)
      .post(`/v1/tasks/${taskId}/tool-calls`, { tool_name: "Bash", tool_input: { command: "ls" } });
    const requestId = await requestApproval(h.client, taskId);
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    const report = (call: Record<string, unknown>) =>
      h.client
        .as(AGENT)
        .post(`/v1/tasks/${taskId}/outcomes`, { ...call, outcome: "executed", duration_ms: 1 });

    const ofAllow = await report({ event_seq: untracked.body.event_seq });
    const ofApproval = await report({ request_id: requestId });

    expect([ofAllow.status, codeOf(ofAllow.body)]).toEqual([404, "CALL_NOT_FOUND"]);
    expect([ofApproval.status, codeOf(ofApproval.body)]).toEqual([404, "CALL_NOT_FOUND"]);
  });

  it("a request that is still pending has no outcome to report", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const reply = await h.client
      .as(AGENT)
      .post(`/v1/tasks/${taskId}/outcomes`, { request_id: requestId, outcome: "executed", duration_ms: 1 });
    expect([reply.status, codeOf(reply.body)]).toEqual([404, "CALL_NOT_FOUND"]);
  });
});

describe("an agent withdrawing its own request", () => {
  it("ends the request CANCELLED by the agent, never credited to a human, and no approver can approve it after", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);

    const reply = await h.client
      .as(AGENT)
      .post(`/v1/tasks/${taskId}/approvals/${requestId}/withdraw`, { reason: "the client went away" });
    const approve = await h.client
      .as(APPROVER)
      .post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });

    expect(reply.body).toMatchObject({ status: "CANCELLED", via: "api" });
    expect(reply.body).not.toHaveProperty("decided_by");
    expect([approve.status, codeOf(approve.body)]).toEqual([409, "REQUEST_ALREADY_DECIDED"]);
    const items = await events(taskId);
    expect(items.at(-1)).toMatchObject({
      type: "approval.decided",
      actor: { kind: "agent", id: "agent-1" },
      data: { request_id: requestId, status: "CANCELLED", withdrawn: true, reason: "the client went away" },
    });
    expect(items.at(-1)?.data).not.toHaveProperty("decided_by");
    const task = await h.client.as(OWNER).get(`/v1/tasks/${taskId}`);
    expect(task.body).toMatchObject({ status: "RUNNING", pending_request_ids: [] });
  });

  it("a withdrawn call can be asked again, unlike a denied one", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    await h.client.as(AGENT).post(`/v1/tasks/${taskId}/approvals/${requestId}/withdraw`, {});
    await expect(requestApproval(h.client, taskId)).resolves.toMatch(/^[0-9A-Z]{26}$/);
  });

  it("cannot withdraw a decided request, another agent's request, or a request of its own past its deadline", async () => {
    const taskId = await createTask(h.client);
    const decided = await requestApproval(h.client, taskId);
    await h.client.as(OWNER).post(`/v1/tasks/${taskId}/deny`, { request_id: decided });
    const pending = await requestApproval(h.client, taskId, "terraform apply");

    const again = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/approvals/${decided}/withdraw`, {});
    const other = await h.client
      .as(OTHER_AGENT)
      .post(`/v1/tasks/${taskId}/approvals/${pending}/withdraw`, {});
    h.clock.advance(3_600_000);
    const late = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/approvals/${pending}/withdraw`, {});

    expect([again.status, codeOf(again.body)]).toEqual([409, "REQUEST_ALREADY_DECIDED"]);
    expect([other.status, codeOf(other.body)]).toEqual([404, "TASK_NOT_FOUND"]);
    expect([late.status, codeOf(late.body)]).toEqual([409, "REQUEST_ALREADY_DECIDED"]);
    expect(late.body).toMatchObject({ error: { details: { status: "TIMED_OUT" } } });
  });
});
