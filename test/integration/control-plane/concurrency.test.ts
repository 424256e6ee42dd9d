import type { EvaluationResponse, TaskView } from "../../../contracts/api";
import { type LedgerEvent, verifyChain } from "../../../lambdas/core/ledger";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { AGENT, APPROVER, OWNER } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

async function allEvents(taskId: string): Promise<LedgerEvent[]> {
  const out: LedgerEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await h.client
      .as(OWNER)
      .get<{ items: LedgerEvent[]; next_after_seq?: number }>(
        `/v1/tasks/${taskId}/events?after_seq=${after}&limit=100`,
      );
    out.push(...page.body.items);
    if (page.body.next_after_seq === undefined) return out;
    after = page.body.next_after_seq;
  }
}

describe("concurrency on one task", () => {
  it("lets exactly one of racing approve and deny calls win, with one decided event", async () => {
    const taskId = await createTask(h.client);
    const requestId = await requestApproval(h.client, taskId);

    const replies = await Promise.all([
      h.client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId }),
      h.client.as(APPROVER).post(`/v1/tasks/${taskId}/deny`, { request_id: requestId }),
      h.client.as(OWNER).post(`/v1/tasks/${taskId}/deny`, { request_id: requestId }),
      h.client.as(APPROVER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId }),
    ]);

    expect(replies.map((r) => r.status).sort()).toEqual([200, 409, 409, 409]);
    for (const r of replies.filter((x) => x.status === 409)) {
      expect(r.body).toMatchObject({ error: { code: "REQUEST_ALREADY_DECIDED" } });
    }
    const decided = (await allEvents(taskId)).filter((e) => e.type === "approval.decided");
    expect(decided).toHaveLength(1);
  });

  it("records every one of many concurrent evaluations once, in an unbroken chain", async () => {
    const taskId = await createTask(h.client);
    const n = 40;

    const replies = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        h.client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, {
          tool_name: "Bash",
          tool_input: { command: `echo ${i}` },
        }),
      ),
    );

    expect(replies.every((r) => r.status === 200)).toBe(true);
    const seqs = replies.map((r) => r.body.event_seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    const events = await allEvents(taskId);
    expect(events).toHaveLength(n + 1);
    expect(verifyChain(events)).toEqual({ ok: true });
    const task = await h.client.as(AGENT).get<TaskView>(`/v1/tasks/${taskId}`);
    expect(task.body.counters.tool_calls).toBe(n);
  });

  it("never allows a call after the cancel's place in the ledger", async () => {
    const taskId = await createTask(h.client);
    const evaluations = Array.from({ length: 30 }, (_, i) =>
      h.client.as(AGENT).post<EvaluationResponse>(`/v1/tasks/${taskId}/tool-calls`, {
        tool_name: "Bash",
        tool_input: { command: `ls ${i}` },
      }),
    );
    const cancel = h.client.as(OWNER).post(`/v1/tasks/${taskId}/cancel`, { reason: "kill switch" });
    const [cancelReply, ...replies] = await Promise.all([cancel, ...evaluations]);
    expect(cancelReply.status).toBe(200);

    const events = await allEvents(taskId);
    const cancelSeq = events.find((e) => e.type === "task.cancelled")?.seq ?? Number.NaN;
    const afterCancel = events.filter((e) => e.seq > cancelSeq && e.type === "tool_call.evaluated");
    expect(afterCancel.every((e) => e.data.decision === "DENY" && e.data.source === "task_state")).toBe(true);
    for (const r of replies) {
      if (r.body.event_seq > cancelSeq) expect(r.body.decision).toBe("DENY");
    }
    expect(verifyChain(events)).toEqual({ ok: true });
  });
});
