import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalControlPlane, startLocalControlPlane } from "../../../local/local-control-plane";
import { createTask, requestApproval } from "../../support/control-plane-harness";
import { gatesClient, OWNER, waitFor } from "../../support/gates-client";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";

let plane: LocalControlPlane;
let dataDir: string;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), "gates-metrics-"));
  plane = await startLocalControlPlane({
    dataDir,
    dynamoEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix(),
    port: 0,
    reconcileEveryMs: 3_600_000,
    onError: () => undefined,
  });
});
afterAll(async () => {
  await plane.stop();
  await rm(dataDir, { recursive: true, force: true });
});

interface EmfLine {
  readonly _aws: { readonly CloudWatchMetrics: readonly { readonly Namespace: string }[] };
  readonly [name: string]: unknown;
}

async function emfLines(): Promise<EmfLine[]> {
  const text = await readFile(join(dataDir, "metrics.log"), "utf8").catch(() => "");
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as EmfLine);
}

describe("local metrics", () => {
  it("writes ApprovalDecisionLatency to <dataDir>/metrics.log when a soft-rule request is approved", async () => {
    // Prepare
    const client = gatesClient(plane.url);
    const taskId = await createTask(client);
    const requestId = await requestApproval(client, taskId);

    // Act
    const approved = await client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    await plane.poller.drain(10_000);

    // Assess
    expect(approved.status).toBe(200);
    const latency = await waitFor(
      async () => (await emfLines()).find((line) => "ApprovalDecisionLatency" in line),
      5_000,
      "an ApprovalDecisionLatency line",
    );
    expect(latency).toMatchObject({ status: "APPROVED", ApprovalDecisions: 1 });
    expect(latency.ApprovalDecisionLatency).toEqual(expect.any(Number));
    expect(latency._aws.CloudWatchMetrics[0]?.Namespace).toBe("ApprovalGates");
    const lines = await emfLines();
    expect(lines).toContainEqual(
      expect.objectContaining({ severity: expect.any(String), ApprovalsRequested: 1 }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ PublisherHeartbeat: expect.any(Number) }));
  });
});
