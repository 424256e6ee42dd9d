import type { ApprovalView, PendingItem } from "../../../contracts/api";
import type { LedgerEvent } from "../../../lambdas/core/ledger";
import { verifyChain } from "../../../lambdas/core/ledger";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, OWNER } from "../../support/gates-client";
import { gates } from "../cli/run-cli";

/**
 * Two-person rules: a request is APPROVED when enough distinct approvers approved, one deny ends
 * it, the owner can be excluded, and votes racing each other are counted once each.
 */

const REPO = "team/app";
const APPROVERS = ["bob", "carol", "dave", "erin", "frank", "gina"];
const human = (id: string) => `local:human:${id}`;
const TWO_PERSON = `@rule_id("two_person_deploy")
@tier("soft")
@approvals_required("2")
@approver_not_owner
forbid (principal, action, resource) when { context has command && context.command like "*deploy prod*" };`;
const DEPLOY = { tool_name: "Bash", tool_input: { command: "make deploy prod" } };

let h: Harness;
let n = 0;
beforeAll(async () => {
  h = await startHarness({ settings: false });
  const settings = await h.client.as(ADMIN).put(`/v1/repos/${encodeURIComponent(REPO)}/settings`, {
    approvers: { users: APPROVERS },
    owner_approves: true,
  });
  const policies = await h.client
    .as(ADMIN)
    .put(`/v1/repos/${encodeURIComponent(REPO)}/policies`, { policies: TWO_PERSON });
  if (settings.status !== 200 || policies.status !== 200) throw new Error("set-up refused");
});
afterAll(() => h.stop());

/** A fresh task owned by alice with a request the two-person rule asks for. */
async function askDeploy(): Promise<{ taskId: string; requestId: string }> {
  n += 1;
  const taskId = `q-${n}`;
  await h.client.as(AGENT).post("/v1/tasks", { task_id: taskId, owner: "alice", repo: REPO });
  const asked = await h.client
    .as(AGENT)
    .post<{ decision: string; request_id: string; approvals_required: number }>(
      `/v1/tasks/${taskId}/tool-calls`,
      DEPLOY,
    );
  expect(asked.body).toMatchObject({ decision: "REQUIRE_APPROVAL", approvals_required: 2 });
  return { taskId, requestId: asked.body.request_id };
}

const approve = (who: string, taskId: string, requestId: string, scope?: string) =>
  h.client.as(human(who)).post<ApprovalView & { error?: { code: string } }>(`/v1/tasks/${taskId}/approve`, {
    request_id: requestId,
    ...(scope ? { scope } : {}),
  });

async function eventsOf(taskId: string): Promise<LedgerEvent[]> {
  return (await h.client.as(OWNER).get<{ items: LedgerEvent[] }>(`/v1/tasks/${taskId}/events`)).body.items;
}

describe("a two-approver rule", () => {
  it("needs two distinct humans, shows the progress everywhere, and grants what both endorsed", async () => {
    // Prepare
    const { taskId, requestId } = await askDeploy();
    const poll = h.client.as(AGENT).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}?wait_s=10`);

    // Act
    const first = await approve("bob", taskId, requestId, "tool:Bash");
    const pending = await h.client.as(human("carol")).get<{ items: PendingItem[] }>("/v1/pending");
    const shown = await gates(h.plane.url, human("carol"), ["show", taskId, requestId]);
    const second = await approve("carol", taskId, requestId, "all_session");
    const polled = await poll;

    // Assess
    expect(first.body).toMatchObject({
      status: "PENDING",
      progress: "1 of 2 approvals (bob)",
      approved_by: ["bob"],
    });
    expect(pending.body.items).toEqual([
      expect.objectContaining({ request_id: requestId, progress: "1 of 2 approvals (bob)" }),
    ]);
    expect(shown.stdout).toContain("1 of 2 approvals (bob), not the task's owner");
    expect(second.body).toMatchObject({
      status: "APPROVED",
      decided_by: "carol",
      approved_by: ["bob", "carol"],
      progress: "2 of 2 approvals (bob, carol)",
      scope: "tool:Bash",
    });
    expect(polled.body).toMatchObject({ status: "APPROVED", approved_by: ["bob", "carol"] });
    const task = await h.client.as(OWNER).get<{ grants: unknown[] }>(`/v1/tasks/${taskId}`);
    expect(task.body.grants).toEqual([
      expect.objectContaining({
        scope: "tool:Bash",
        granted_by: { kind: "human", id: "carol" },
        approved_by: ["bob", "carol"],
      }),
    ]);
    const types = (await eventsOf(taskId)).map((e) => e.type);
    expect(types).toEqual(["task.created", "approval.requested", "approval.voted", "approval.decided"]);
  });

  it("does not count the same human twice", async () => {
    const { taskId, requestId } = await askDeploy();
    await approve("bob", taskId, requestId);
    const again = await approve("bob", taskId, requestId);
    expect(again.status).toBe(409);
    expect(again.body.error?.code).toBe("ALREADY_VOTED");
    const view = await h.client.as(OWNER).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(view.body).toMatchObject({ status: "PENDING", approved_by: ["bob"] });
  });

  it("excludes the owner from approving, but lets the owner deny", async () => {
    const { taskId, requestId } = await askDeploy();
    const byOwner = await approve("alice", taskId, requestId);
    expect(byOwner.status).toBe(403);
    expect(byOwner.body.error?.code).toBe("SEPARATION_OF_DUTIES");
    const denied = await h.client
      .as(OWNER)
      .post<ApprovalView>(`/v1/tasks/${taskId}/deny`, { request_id: requestId });
    expect(denied.body).toMatchObject({ status: "DENIED", decided_by: "alice" });
  });

  it("ends with one deny after one approval", async () => {
    const { taskId, requestId } = await askDeploy();
    await approve("bob", taskId, requestId);
    const denied = await h.client
      .as(human("carol"))
      .post<ApprovalView>(`/v1/tasks/${taskId}/deny`, { request_id: requestId, reason: "not today" });
    const late = await approve("dave", taskId, requestId);
    expect(denied.body).toMatchObject({ status: "DENIED", decided_by: "carol", approved_by: ["bob"] });
    expect(late.status).toBe(409);
    const again = await h.client.as(AGENT).post(`/v1/tasks/${taskId}/tool-calls`, DEPLOY);
    expect(again.body).toMatchObject({ decision: "DENY", source: "recent_denial" });
  });

  it("counts concurrent votes exactly once each: one transition, the ledger intact", async () => {
    // Prepare
    const { taskId, requestId } = await askDeploy();

    // Act: every approver clicks at once, several times
    const replies = await Promise.all(
      APPROVERS.flatMap((who) => [1, 2, 3].map(() => approve(who, taskId, requestId))),
    );

    // Assess
    const events = await eventsOf(taskId);
    const decided = events.filter((e) => e.type === "approval.decided");
    const voted = events.filter((e) => e.type === "approval.voted");
    expect(decided).toHaveLength(1);
    expect(voted).toHaveLength(1);
    const approvedBy = decided[0]?.data.approved_by as string[];
    expect(new Set(approvedBy).size).toBe(2);
    expect(approvedBy[0]).toBe(voted[0]?.data.by);
    expect(replies.filter((r) => r.status === 200)).toHaveLength(2);
    expect(replies.filter((r) => r.status === 200 && r.body.status === "APPROVED")).toHaveLength(1);
    expect(replies.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    expect(verifyChain(events)).toEqual({ ok: true });
    const view = await h.client.as(OWNER).get<ApprovalView>(`/v1/tasks/${taskId}/approvals/${requestId}`);
    expect(view.body.approved_by).toEqual(approvedBy);
  });

  it("says what the CLI recorded when more approvals are needed", async () => {
    const { taskId, requestId } = await askDeploy();
    const run = await gates(h.plane.url, human("erin"), ["approve", taskId, requestId]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("1 of 2 approvals (erin); it waits for more");
  });
});

describe("quorum limits", () => {
  it("denies outright when only the owner could approve an owner-excluding rule", async () => {
    // Prepare: a repo where only the owner approves
    await h.client.as(ADMIN).put("/v1/repos/solo%2Fapp/settings", { owner_approves: true });
    await h.client.as(ADMIN).put("/v1/repos/solo%2Fapp/policies", { policies: TWO_PERSON });
    await h.client.as(AGENT).post("/v1/tasks", { task_id: "solo-1", owner: "alice", repo: "solo/app" });

    // Act
    const asked = await h.client.as(AGENT).post("/v1/tasks/solo-1/tool-calls", DEPLOY);

    // Assess
    expect(asked.body).toMatchObject({ decision: "DENY", source: "quorum", rule_ids: ["two_person_deploy"] });
  });

  it("applies the settings' default quorum to every soft rule", async () => {
    await h.client.as(ADMIN).put("/v1/repos/pair%2Fapp/settings", {
      approvers: { users: ["bob", "carol"] },
      approvals_required: 2,
    });
    await h.client.as(AGENT).post("/v1/tasks", { task_id: "pair-1", owner: "alice", repo: "pair/app" });
    const asked = await h.client.as(AGENT).post<{ request_id: string }>("/v1/tasks/pair-1/tool-calls", {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    expect(asked.body).toMatchObject({ decision: "REQUIRE_APPROVAL", approvals_required: 2 });
    const first = await approve("bob", "pair-1", asked.body.request_id);
    expect(first.body.status).toBe("PENDING");
  });
});
