import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import { replayDlq } from "../../../local/dlq";
import {
  type LocalControlPlane,
  localConsumers,
  startLocalControlPlane,
} from "../../../local/local-control-plane";
import { createTask, requestApproval } from "../../support/control-plane-harness";
import { type FakeSlack, type FakeSlackMessage, startFakeSlack } from "../../support/fake-slack";
import { gatesClient, OWNER, waitFor } from "../../support/gates-client";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";
import { actionIdsOf, CHANNEL, textOf } from "./outbound-support";

let slack: FakeSlack;
let plane: LocalControlPlane;
let dataDir: string;

beforeEach(async () => {
  slack = await startFakeSlack();
  dataDir = mkdtempSync(join(tmpdir(), "gates-slack-"));
  plane = await startLocalControlPlane({
    dataDir,
    dynamoEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix(),
    port: 0,
    reconcileEveryMs: 3_600_000,
    slackFanout: { botToken: "xoxb-local", channel: CHANNEL, apiUrl: slack.apiUrl },
    onError: () => undefined,
  });
});
afterEach(async () => {
  await plane.stop();
  await slack.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The messages of one request; there must never be more than one. */
function messagesOf(requestId: string): FakeSlackMessage[] {
  return slack.messages(CHANNEL).filter((m) => JSON.stringify(m.metadata).includes(requestId));
}

describe("local mode with Slack configured", () => {
  it("posts a soft-rule hit with buttons within a second, and a REST approval updates it in place", async () => {
    const client = gatesClient(plane.url);
    const taskId = await createTask(client);

    const requestId = await requestApproval(client, taskId);
    const [posted] = await waitFor(
      async () => (messagesOf(requestId).length > 0 ? messagesOf(requestId) : undefined),
      1_000,
      "the request's Slack message",
    );
    expect(actionIdsOf(posted?.blocks)).toEqual(["approve", "approve_scope", "deny"]);
    expect(slack.callsTo("chat.postMessage")[0]?.token).toBe("xoxb-local");

    const approved = await client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    expect(approved.status).toBe(200);
    await plane.poller.drain();

    const [message, ...others] = messagesOf(requestId);
    expect(others).toEqual([]);
    expect(message?.updates).toBe(1);
    expect(actionIdsOf(message?.blocks)).toEqual([]);
    expect(textOf(message?.blocks)).toContain("Approved");
    expect(readFileSync(join(dataDir, "metrics.log"), "utf8")).toContain('"result":"updated"');
  });

  it("rides out a short Slack blip with stream retries alone, posting once", async () => {
    const client = gatesClient(plane.url);
    slack.fail("*", { status: 429, retryAfterS: 1 }, 1);
    slack.fail("*", { status: 503 }, 1);
    const taskId = await createTask(client);

    const requestId = await requestApproval(client, taskId);
    await plane.poller.drain();

    expect(messagesOf(requestId)).toHaveLength(1);
    expect(slack.calls.filter((c) => c.failed)).toHaveLength(2);
    expect(existsSync(join(dataDir, "dlq.jsonl"))).toBe(false);
  });

  it("keeps REST decisions working through an outage, and delivers every message exactly once after it", async () => {
    // Prepare: Slack answers 503 to everything until healed.
    const client = gatesClient(plane.url);
    slack.fail("*", { status: 503 });
    const taskId = await createTask(client);
    const first = await requestApproval(client, taskId);
    const second = await requestApproval(client, taskId, "git push --force origin release");

    // Act: a decision during the outage, then the poller gives up on the Slack records.
    const denied = await client
      .as(OWNER)
      .post(`/v1/tasks/${taskId}/deny`, { request_id: first, reason: "no" });
    await plane.poller.drain(60_000);

    // Assess: the decision stands, nothing reached Slack, and the give-ups are in the DLQ.
    expect(denied.status).toBe(200);
    expect(slack.messages()).toEqual([]);
    const dlqPath = join(dataDir, "dlq.jsonl");
    const deadLettered = readFileSync(dlqPath, "utf8").trim().split("\n");
    expect(deadLettered.map((l) => (JSON.parse(l) as { consumer: string }).consumer)).toEqual([
      "channels",
      "channels",
      "channels",
    ]);

    // Act: Slack is back; the records are replayed to the same consumer, twice for good measure.
    slack.heal();
    const reported: string[] = [];
    const { doc } = createDynamoClients({ region: "local", endpoint: plane.dynamoEndpoint });
    const consumers = localConsumers({
      dataDir,
      baseUrl: plane.url,
      metricsLog: false,
      onError: (m, e) => {
        reported.push(`${m} ${JSON.stringify(e)}`);
      },
      slackFanout: { botToken: "xoxb-local", channel: CHANNEL, apiUrl: slack.apiUrl },
      dynamo: { doc, tables: plane.config.tables },
    });
    expect(await replayDlq(dlqPath, consumers)).toEqual({ delivered: 3, kept: 0 });

    // Assess: one message per request; the denied one in its final state, the other with buttons.
    const [deniedMessage, ...moreDenied] = messagesOf(first);
    const [pendingMessage, ...morePending] = messagesOf(second);
    expect([moreDenied, morePending]).toEqual([[], []]);
    expect(reported).toEqual([]);
    expect(slack.messages()).toHaveLength(2);
    expect(textOf(deniedMessage?.blocks)).toContain("Denied");
    expect(actionIdsOf(deniedMessage?.blocks)).toEqual([]);
    expect(actionIdsOf(pendingMessage?.blocks)).toEqual(["approve", "approve_scope", "deny"]);
  }, 90_000);
});
