import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EvaluationResponse } from "../../../contracts/api";
import { type LedgerEvent, verifyChain } from "../../../lambdas/core/ledger";
import { type DynamoDbLocal, findFreePort, startDynamoDbLocal } from "../../../local/dynamodb-local";
import { type LocalControlPlane, startLocalControlPlane } from "../../../local/local-control-plane";
import { AGENT, gatesClient, OWNER, waitFor } from "../../support/gates-client";

/**
 * DynamoDB Local on a fixed port and a persistent directory, so it can be stopped under
 * traffic and started again with the same data while the API server keeps running.
 */
describe("DynamoDB stops under traffic", () => {
  let dataDir: string;
  let port: number;
  let dynamo: DynamoDbLocal;
  let plane: LocalControlPlane;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "gates-outage-"));
    port = await findFreePort();
    dynamo = await startDynamoDbLocal({ port, dataDir });
    plane = await startLocalControlPlane({
      dataDir,
      dynamoEndpoint: dynamo.endpoint,
      tablePrefix: "outage",
      port: 0,
      reconcileEveryMs: 3_600_000,
      onError: () => undefined,
    });
  }, 90_000);
  afterAll(async () => {
    await plane.stop();
    await dynamo.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("answers 503 and never ALLOW while it is down, then recovers without a server restart", async () => {
    const client = gatesClient(plane.url);
    const tasks = ["outage-a", "outage-b"];
    for (const task_id of tasks)
      await client.as(AGENT).post("/v1/tasks", { task_id, owner: "alice", repo: "acme/app" });
    const asked = await client.as(AGENT).post<EvaluationResponse>("/v1/tasks/outage-a/tool-calls", {
      tool_name: "Bash",
      tool_input: { command: "git push --force origin main" },
    });
    const requestId = String(asked.body.request_id);

    // Traffic runs while DynamoDB goes away.
    let stop = false;
    const seen: { status: number; decision?: string }[] = [];
    // A request that fails on the wire is recorded as status 0 (which the checks below refuse)
    // rather than thrown, so a failure here cannot outlive the test as an unhandled rejection.
    const traffic = (async () => {
      for (let i = 0; !stop; i++) {
        const r = await client
          .as(AGENT)
          .post<EvaluationResponse>(`/v1/tasks/${tasks[i % 2]}/tool-calls`, {
            tool_name: "Bash",
            tool_input: { command: `ls ${i}` },
          })
          .catch(() => ({ status: 0, body: {} as Partial<EvaluationResponse> }));
        seen.push({ status: r.status, decision: r.body.decision });
      }
    })();
    const outageAndRecovery = async () => {
      await waitFor(async () => (seen.length >= 5 ? true : undefined), 10_000, "traffic before the outage");
      await dynamo.stop();

      const during = await client.as(AGENT).post("/v1/tasks/outage-a/tool-calls", {
        tool_name: "Bash",
        tool_input: { command: "ls" },
      });
      const decision = await client.as(OWNER).post("/v1/tasks/outage-a/approve", { request_id: requestId });
      expect([during.status, during.body]).toEqual([
        503,
        { error: expect.objectContaining({ code: "SERVICE_UNAVAILABLE" }) },
      ]);
      expect(decision.status).toBe(503);

      dynamo = await startDynamoDbLocal({ port, dataDir });
      await waitFor(
        async () => (seen.at(-1)?.status === 200 ? true : undefined),
        20_000,
        "traffic to recover",
      );
    };
    try {
      await outageAndRecovery();
    } finally {
      stop = true;
      await traffic;
    }

    for (const s of seen) {
      expect([200, 503]).toContain(s.status);
      if (s.status === 503) expect(s.decision).toBeUndefined();
    }
    expect(seen.some((s) => s.status === 503)).toBe(true);
    const approved = await client.as(OWNER).post("/v1/tasks/outage-a/approve", { request_id: requestId });
    expect(approved.status).toBe(200);
    for (const task of tasks) {
      const events = await client
        .as(OWNER)
        .get<{ items: LedgerEvent[] }>(`/v1/tasks/${task}/events?limit=100`);
      expect(verifyChain(events.body.items)).toEqual({ ok: true });
    }
    // It stops and starts a JVM under traffic, which takes a while on a busy machine.
  }, 120_000);
});
