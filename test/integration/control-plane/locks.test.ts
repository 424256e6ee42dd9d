import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ApprovalView } from "../../../contracts/api";
import type { LockView } from "../../../contracts/governance";
import { sweepExpiredLocks } from "../../../lambdas/core/control-plane/locks";
import { type LedgerEvent, verifyChain } from "../../../lambdas/core/ledger";
import { type LocalControlPlane, startLocalControlPlane } from "../../../local/local-control-plane";
import { createTask, type Harness, requestApproval, startHarness } from "../../support/control-plane-harness";
import { ADMIN, AGENT, APPROVER, gatesClient, OTHER_AGENT, OWNER, waitFor } from "../../support/gates-client";
import { gates } from "../cli/run-cli";
import { testDynamoEndpoint } from "../setup/dynamo";

/** Locks, the kill switch at scale: they reach evaluations at once here, lift cleanly, and are audited. */

const READ = { tool_name: "Read", tool_input: { file_path: "README.md" } };

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

async function lock(target: string, extra: Record<string, unknown> = {}): Promise<LockView> {
  const reply = await h.client
    .as(ADMIN)
    .post<LockView>("/v1/locks", { target, reason: "incident 42", ...extra });
  if (reply.status !== 201) throw new Error(`lock refused: ${reply.status} ${JSON.stringify(reply.body)}`);
  return reply.body;
}
const unlock = (id: string) => h.client.as(ADMIN).delete(`/v1/locks/${id}`);
const evaluate = (taskId: string, token = AGENT) =>
  h.client
    .as(token)
    .post<{ decision: string; source: string; reason: string }>(`/v1/tasks/${taskId}/tool-calls`, READ);

describe("a lock", () => {
  it("denies the very next evaluation of a matching task with its reason, and lifting it restores them", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    expect((await evaluate(taskId)).body.decision).toBe("ALLOW");

    // Act
    const placed = await lock("repo:acme/app");
    const locked = await evaluate(taskId);
    const listed = await h.client.as(OWNER).get<{ items: LockView[] }>("/v1/locks");
    await unlock(placed.lock_id);
    const lifted = await evaluate(taskId);

    // Assess
    expect(locked.body).toMatchObject({ decision: "DENY", source: "lock" });
    expect(locked.body.reason).toBe(
      `Stopped by lock ${placed.lock_id} on repo:acme/app by root: incident 42.`,
    );
    expect(listed.body.items.map((l) => l.lock_id)).toContain(placed.lock_id);
    expect(lifted.body).toMatchObject({ decision: "ALLOW", source: "default_allow" });
  });

  it.each([
    ["all", [true, true, true]],
    ["repo:acme/*", [true, true, false]],
    ["repo:Acme/App.git", [true, false, false]],
    ["agent:local-agent-2*", [false, false, false]],
    ["agent:agent-2", [false, false, true]],
    ["agent:agent-*", [true, true, true]],
  ])("on %s stops exactly the tasks it names", async (target, expected) => {
    // Prepare: acme/app and acme/api by agent-1, other/app by agent-2
    const tasks = [
      await createTask(h.client),
      await createTask(h.client, { repo: "acme/api" }),
      (
        await h.client
          .as(OTHER_AGENT)
          .post<{ task_id: string }>("/v1/tasks", { owner: "alice", repo: "other/app" })
      ).body.task_id,
    ];
    const agents = [AGENT, AGENT, OTHER_AGENT];

    // Act
    const placed = await lock(target);
    const denied = await Promise.all(
      tasks.map(async (t, i) => (await evaluate(t, agents[i])).body.source === "lock"),
    );
    await unlock(placed.lock_id);

    // Assess
    expect(denied).toEqual(expected);
  });

  it("refuses approvals of a task it stops, lets a deny through, and approves again once lifted", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const first = await requestApproval(h.client, taskId);
    const second = await requestApproval(h.client, taskId, "git push --force origin release/1");
    const placed = await lock("repo:acme/app");

    // Act
    const refused = await h.client
      .as(APPROVER)
      .post<{ error: { code: string; message: string } }>(`/v1/tasks/${taskId}/approve`, {
        request_id: first,
      });
    const denied = await h.client
      .as(APPROVER)
      .post<ApprovalView>(`/v1/tasks/${taskId}/deny`, { request_id: first });
    await unlock(placed.lock_id);
    const approved = await h.client
      .as(APPROVER)
      .post<ApprovalView>(`/v1/tasks/${taskId}/approve`, { request_id: second });

    // Assess
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe("LOCKED");
    expect(refused.body.error.message).toContain("incident 42");
    expect(denied.body.status).toBe("DENIED");
    expect(approved.body.status).toBe("APPROVED");
  });

  it("cancels the pending requests of the tasks it stops when asked, and only those", async () => {
    // Prepare
    const stopped = await createTask(h.client, { repo: "acme/cancelled" });
    const spared = await createTask(h.client, { repo: "acme/spared" });
    const stoppedRequest = await requestApproval(h.client, stopped);
    const sparedRequest = await requestApproval(h.client, spared);
    const poll = h.client
      .as(AGENT)
      .get<ApprovalView>(`/v1/tasks/${stopped}/approvals/${stoppedRequest}?wait_s=10`);

    // Act
    const placed = await lock("repo:acme/cancelled", { cancel_pending: true });
    const polled = await poll;
    await unlock(placed.lock_id);

    // Assess
    expect(placed.cancelled_requests).toBe(1);
    expect(polled.body).toMatchObject({ status: "CANCELLED", decided_by: "root" });
    const events = await h.client.as(OWNER).get<{ items: LedgerEvent[] }>(`/v1/tasks/${stopped}/events`);
    expect(events.body.items.at(-1)?.data).toMatchObject({ status: "CANCELLED", lock_id: placed.lock_id });
    const sparedView = await h.client
      .as(OWNER)
      .get<ApprovalView>(`/v1/tasks/${spared}/approvals/${sparedRequest}`);
    expect(sparedView.body.status).toBe("PENDING");
  });

  it("stops holding at its expiry, which the reconciler records", async () => {
    // Prepare
    const taskId = await createTask(h.client);
    const placed = await lock("repo:acme/app", { expires_in_s: 60 });
    expect((await evaluate(taskId)).body.source).toBe("lock");

    // Act
    h.clock.advance(61_000);
    const after = await evaluate(taskId);
    const swept = await sweepExpiredLocks(h.plane.deps);
    const listed = await h.client.as(OWNER).get<{ items: LockView[] }>("/v1/locks");

    // Assess
    expect(after.body.decision).toBe("ALLOW");
    expect(swept).toBeGreaterThanOrEqual(1);
    expect(listed.body.items.map((l) => l.lock_id)).not.toContain(placed.lock_id);
    const ledger = await h.client
      .as(OWNER)
      .get<{ items: LedgerEvent<string>[] }>("/v1/locks/events?limit=100");
    expect(ledger.body.items.filter((e) => e.data.lock_id === placed.lock_id).map((e) => e.type)).toEqual([
      "lock.placed",
      "lock.expired",
    ]);
  });

  it("denies dry runs of the repos it stops", async () => {
    const placed = await lock("repo:locked/dry");
    const dry = await h.client.as(AGENT).post("/v1/repos/locked%2Fdry/policies/evaluate", READ);
    await unlock(placed.lock_id);
    expect(dry.body).toMatchObject({ decision: "DENY", source: "lock" });
  });

  it("answers 404 LOCK_NOT_FOUND for a lock that is not in force", async () => {
    const placed = await lock("repo:gone/app");
    await unlock(placed.lock_id);
    const again = await h.client.as(ADMIN).delete<{ error: { code: string } }>(`/v1/locks/${placed.lock_id}`);
    expect(again.status).toBe(404);
    expect(again.body.error.code).toBe("LOCK_NOT_FOUND");
  });

  it("keeps its own hash-chained ledger of every lock and unlock, which the CLI verifies", async () => {
    const placed = await lock("agent:audited-agent");
    await h.client.as(ADMIN).delete(`/v1/locks/${placed.lock_id}`);
    const ledger = await h.client
      .as(OWNER)
      .get<{ items: LedgerEvent<string>[] }>("/v1/locks/events?limit=100");
    const ours = ledger.body.items.filter((e) => e.data.lock_id === placed.lock_id);
    expect(ours.map((e) => [e.type, e.actor])).toEqual([
      ["lock.placed", { kind: "human", id: "root" }],
      ["lock.lifted", { kind: "human", id: "root" }],
    ]);
    expect(verifyChain(ledger.body.items)).toEqual({ ok: true });
    const run = await gates(h.plane.url, OWNER, ["locks", "--events", "--verify"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("OK chain verified");
  });
});

describe("a lock placed by another process", () => {
  let other: LocalControlPlane;
  let dataDir: string;
  const CACHE_MS = 300;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gates-locks-"));
    other = await startLocalControlPlane({
      dataDir,
      dynamoEndpoint: testDynamoEndpoint(),
      tablePrefix: h.plane.config.tables.Tasks.replace(/-Tasks$/, ""),
      port: 0,
      reconcileEveryMs: 3_600_000,
      metricsLog: false,
      lockCacheMs: CACHE_MS,
      onError: () => undefined,
    });
  });
  afterAll(async () => {
    await other.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("reaches its evaluations within the time it keeps its copy of the locks, and so does the lift", async () => {
    // Prepare: a task evaluated through the other process, so its copy of the locks is warm
    const taskId = await createTask(h.client);
    const elsewhere = gatesClient(other.url).as(AGENT);
    expect((await elsewhere.post(`/v1/tasks/${taskId}/tool-calls`, READ)).body.decision).toBe("ALLOW");

    // Act
    const placed = await lock("repo:acme/app");
    const placedAt = Date.now();
    await waitFor(
      async () =>
        (await elsewhere.post(`/v1/tasks/${taskId}/tool-calls`, READ)).body.source === "lock"
          ? true
          : undefined,
      5_000,
      "the lock to reach the other process",
    );
    const reachedMs = Date.now() - placedAt;
    await unlock(placed.lock_id);
    await waitFor(
      async () =>
        (await elsewhere.post(`/v1/tasks/${taskId}/tool-calls`, READ)).body.decision === "ALLOW"
          ? true
          : undefined,
      5_000,
      "the lift to reach the other process",
    );

    // Assess: within the cache's age, plus one read and one evaluation
    expect(reachedMs).toBeLessThan(CACHE_MS + 1_000);
  });
});
