import type { ApprovalView, PendingItem, TaskView } from "../../../contracts/api";
import { reconcile } from "../../../lambdas/core/control-plane/approvals";
import type { LedgerEvent } from "../../../lambdas/core/ledger";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { AGENT, OWNER } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

const PAST_DEADLINE_MS = 301_000;

describe("approval deadlines", () => {
  it("times out a request on read once its deadline passes, and drops it from pending", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    h.clock.advance(PAST_DEADLINE_MS);

    const read = await h.client.as(AGENT).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(read.body).toMatchObject({ status: "TIMED_OUT", via: "system" });
    const pending = await h.client.as(OWNER).get<{ items: PendingItem[] }>("/v1/pending");
    expect(pending.body.items.map((i) => i.request_id)).not.toContain(requestId);
    const task = await h.client.as(OWNER).get<TaskView>(`/v1/tasks/${taskId}`);
    expect(task.body).toMatchObject({ status: "RUNNING", pending_request_ids: [] });
  });

  it("refuses an approval after the deadline with REQUEST_ALREADY_DECIDED TIMED_OUT — nothing is auto-approved", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    h.clock.advance(PAST_DEADLINE_MS);

    const late = await h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    expect(late.status).toBe(409);
    expect(late.body).toMatchObject({
      error: { code: "REQUEST_ALREADY_DECIDED", details: { status: "TIMED_OUT" } },
    });
    const again = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    expect(again.body).toMatchObject({ decision: "DENY", source: "recent_denial" });
  });

  it("lets a long-poll return when the deadline passes while it waits", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const waiting = h.client
      .as(AGENT)
      .get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}?wait_s=10`);
    h.clock.advance(PAST_DEADLINE_MS);
    expect((await waiting).body.status).toBe("TIMED_OUT");
  });

  it("returns a still-pending request when wait_s runs out", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);
    const reply = await h.client
      .as(AGENT)
      .get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}?wait_s=1`);
    expect(reply.body.status).toBe("PENDING");
  });

  it("reconciles overdue requests once, even when two reconcilers run at the same time", async () => {
    const taskIds = [await createTask(h.client), await createTask(h.client)];
    const requestIds = [
      await requestApproval(h.client, taskIds[0] ?? ""),
      await requestApproval(h.client, taskIds[1] ?? ""),
    ];
    h.clock.advance(PAST_DEADLINE_MS);

    const [a, b] = await Promise.all([reconcile(h.plane.deps), reconcile(h.plane.deps)]);
    expect(a.failed + b.failed).toBe(0);
    for (const [i, taskId] of taskIds.entries()) {
      const approval = await h.client
        .as(OWNER)
        .get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestIds[i]}`);
      expect(approval.body.status).toBe("TIMED_OUT");
      const events = await h.client.as(OWNER).get<{ items: LedgerEvent[] }>(`/v1/tasks/${taskId}/events`);
      expect(events.body.items.filter((e) => e.type === "approval.decided")).toHaveLength(1);
    }
    expect(await reconcile(h.plane.deps)).toEqual({ timed_out: 0, failed: 0 });
  });
});
