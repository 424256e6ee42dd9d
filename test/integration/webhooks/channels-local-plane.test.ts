import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createDynamoClients } from "../../../lambdas/adapters/dynamo/clients";
import type { WebhookBody } from "../../../lambdas/adapters/webhooks/webhook-payload";
import { replayDlq } from "../../../local/dlq";
import {
  type LocalControlPlane,
  type LocalControlPlaneOptions,
  localConsumers,
  startLocalControlPlane,
} from "../../../local/local-control-plane";
import { createTask, requestApproval } from "../../support/control-plane-harness";
import { type FakeSlack, startFakeSlack } from "../../support/fake-slack";
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from "../../support/fake-webhook-receiver";
import { ADMIN, gatesClient, OWNER, waitFor } from "../../support/gates-client";
import { testDynamoEndpoint, uniquePrefix } from "../setup/dynamo";
import { actionIdsOf, CHANNEL } from "../slack/outbound-support";

let slack: FakeSlack;
let receiver: FakeWebhookReceiver;
let plane: LocalControlPlane;
let dataDir: string;

/** Short timeouts, so an outage shows within a test; the poller's own retries and DLQ are unchanged. */
const channels = (): Pick<LocalControlPlaneOptions, "slackFanout" | "webhooks" | "webhookOptions"> => ({
  slackFanout: { botToken: "xoxb-local", channel: CHANNEL, apiUrl: slack.apiUrl, timeoutMs: 500 },
  webhooks: [{ id: "ops", url: receiver.url, secret: receiver.secret, format: "json" }],
  webhookOptions: { timeoutMs: 500, attempts: 1 },
});

beforeEach(async () => {
  slack = await startFakeSlack();
  receiver = await startFakeWebhookReceiver();
  dataDir = mkdtempSync(join(tmpdir(), "gates-channels-"));
  plane = await startLocalControlPlane({
    dataDir,
    dynamoEndpoint: testDynamoEndpoint(),
    tablePrefix: uniquePrefix(),
    port: 0,
    reconcileEveryMs: 3_600_000,
    ...channels(),
    onError: () => undefined,
  });
});
afterEach(async () => {
  await plane.stop();
  await slack.close();
  await receiver.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const slackMessagesOf = (requestId: string) =>
  slack.messages(CHANNEL).filter((m) => JSON.stringify(m.metadata).includes(requestId));
const webhooksOf = (requestId: string) =>
  receiver.accepted().filter((d) => (JSON.parse(d.body) as WebhookBody).approval.request_id === requestId);

/** Replays the dead letters to the same consumers once the outage is over. */
async function replay(): Promise<{ delivered: number; kept: number }> {
  const { doc } = createDynamoClients({ region: "local", endpoint: plane.dynamoEndpoint });
  const consumers = localConsumers({
    dataDir,
    baseUrl: plane.url,
    metricsLog: false,
    ...channels(),
    dynamo: { doc, tables: plane.config.tables },
  });
  return replayDlq(join(dataDir, "dlq.jsonl"), consumers);
}

describe("local mode with Slack and a signed webhook", () => {
  it("delivers a request and its decision to both exactly once, every webhook verifiable", async () => {
    // Prepare
    const client = gatesClient(plane.url);
    const taskId = await createTask(client);

    // Act
    const requestId = await requestApproval(client, taskId);
    await plane.poller.drain();
    const approved = await client.as(OWNER).post(`/v1/tasks/${taskId}/approve`, { request_id: requestId });
    await plane.poller.drain();

    // Assess
    expect(approved.status).toBe(200);
    const [message, ...moreMessages] = slackMessagesOf(requestId);
    expect(moreMessages).toEqual([]);
    expect(message?.updates).toBe(1);
    expect(actionIdsOf(message?.blocks)).toEqual([]);
    expect(receiver.received.every((d) => d.verified)).toBe(true);
    expect(receiver.received).toHaveLength(2);
    expect(webhooksOf(requestId).map((d) => d.event)).toEqual(["approval.requested", "approval.decided"]);
    const metrics = readFileSync(join(dataDir, "metrics.log"), "utf8");
    expect(metrics).toContain('"channel":"webhook","result":"sent"');
    expect(metrics).toContain('"channel":"slack","result":"posted"');
  });

  it("sends a repo's requests only to the channels its settings name", async () => {
    // Prepare: acme/quiet publishes settings that name only the webhook.
    const client = gatesClient(plane.url);
    const published = await client.as(ADMIN).put(`/v1/repos/${encodeURIComponent("acme/quiet")}/settings`, {
      owner_approves: true,
      notify_channels: ["webhook:ops"],
    });
    expect(published.status).toBe(200);
    const taskId = await createTask(client, { repo: "acme/quiet" });

    // Act
    const requestId = await requestApproval(client, taskId);
    await plane.poller.drain();

    // Assess
    expect(webhooksOf(requestId)).toHaveLength(1);
    expect(slackMessagesOf(requestId)).toEqual([]);
  });

  it("does not delay webhooks while Slack does not answer, and Slack gets each message once after", async () => {
    // Prepare: Slack holds every call open until healed.
    const client = gatesClient(plane.url);
    slack.fail("*", { hang: true });
    const taskId = await createTask(client);

    // Act: two requests during the outage.
    const first = await requestApproval(client, taskId);
    const second = await requestApproval(client, taskId, "git push --force origin release");

    // Assess: both webhooks arrive while Slack still shows nothing.
    await waitFor(
      async () => (webhooksOf(first).length === 1 && webhooksOf(second).length === 1 ? true : undefined),
      10_000,
      "both webhooks during the Slack outage",
    );
    expect(slack.messages()).toEqual([]);

    // Act: Slack is back; the poller gives up or delivers, and the dead letters are replayed.
    slack.heal();
    await plane.poller.drain(60_000);
    await replay();

    // Assess: one Slack message per request, and no webhook sent twice.
    expect(slackMessagesOf(first)).toHaveLength(1);
    expect(slackMessagesOf(second)).toHaveLength(1);
    expect(receiver.received.filter((d) => d.status === 200)).toHaveLength(2);
  }, 90_000);

  it("does not delay Slack while the webhook does not answer, and the webhook gets each event once after", async () => {
    // Prepare: the receiver holds every request open until healed.
    const client = gatesClient(plane.url);
    receiver.script({ hang: true });
    const taskId = await createTask(client);

    // Act
    const requestId = await requestApproval(client, taskId);

    // Assess: the Slack message is up while the webhook has delivered nothing.
    await waitFor(
      async () => (slackMessagesOf(requestId).length === 1 ? true : undefined),
      10_000,
      "the Slack message during the webhook outage",
    );
    expect(receiver.accepted()).toEqual([]);

    // Act: the receiver is back.
    receiver.heal();
    await plane.poller.drain(60_000);
    await replay();

    // Assess
    expect(webhooksOf(requestId)).toHaveLength(1);
    expect(slackMessagesOf(requestId)).toHaveLength(1);
    expect(receiver.received.filter((d) => d.status === 200)).toHaveLength(1);
  }, 90_000);
});
