import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DeliveryResult, DeliveryStore } from "../../../lambdas/adapters/channels/channel";
import { channelFanout } from "../../../lambdas/adapters/channels/channel-fanout";
import { DynamoDeliveryStore } from "../../../lambdas/adapters/dynamo/delivery-store";
import { webhookChannel } from "../../../lambdas/adapters/webhooks/webhook-channel";
import type { WebhookFormat } from "../../../lambdas/adapters/webhooks/webhook-config";
import type { WebhookBody } from "../../../lambdas/adapters/webhooks/webhook-payload";
import { type FakeWebhookReceiver, startFakeWebhookReceiver } from "../../support/fake-webhook-receiver";
import { type FreshTables, freshTables } from "../setup/dynamo";
import {
  approvalFixture,
  batchOf,
  decided,
  decidedEvent,
  requestedEvent,
  seed,
} from "../slack/outbound-support";

let receiver: FakeWebhookReceiver;
let tables: FreshTables;

beforeEach(async () => {
  receiver = await startFakeWebhookReceiver();
  tables = await freshTables();
});
afterEach(() => receiver.close());

/** The fan-out with one webhook endpoint as its channel, over real tables; no waiting between attempts. */
function fanout(
  options: { format?: WebhookFormat; timeoutMs?: number; attempts?: number; store?: DeliveryStore } = {},
) {
  const real = new DynamoDeliveryStore(tables.doc, tables.names);
  const store = options.store ?? real;
  const results: DeliveryResult[] = [];
  const consume = channelFanout({
    store,
    channels: [
      webhookChannel(
        { id: "ops", url: receiver.url, secret: receiver.secret, format: options.format ?? "json" },
        store,
        {
          sleep: async () => undefined,
          timeoutMs: options.timeoutMs ?? 2_000,
          ...(options.attempts ? { attempts: options.attempts } : {}),
        },
      ),
    ],
    metrics: { count: (_c, r) => results.push(r), flush: () => undefined },
  });
  return { consume, results, store: real };
}

describe("the webhook channel", () => {
  it("posts each request event once, signed, with the event and the approval view", async () => {
    // Prepare
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume, results } = fanout();
    const requested = requestedEvent(approval);

    // Act
    const response = await consume(batchOf(requested));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const [delivery, ...others] = receiver.received;
    expect(others).toEqual([]);
    expect(delivery?.verified).toBe(true);
    expect(delivery?.id).toBe(`${approval.task_id}:${requested.seq}`);
    expect(delivery?.event).toBe("approval.requested");
    expect(delivery?.headers["content-type"]).toBe("application/json");
    const body = JSON.parse(delivery?.body ?? "{}") as WebhookBody;
    expect(body).toMatchObject({
      id: `${approval.task_id}:${requested.seq}`,
      type: "approval.requested",
      event: { seq: requested.seq, hash: requested.hash },
      approval: {
        task_id: approval.task_id,
        request_id: approval.request_id,
        status: "PENDING",
        progress: expect.any(String),
      },
    });
    expect(results).toEqual(["sent"]);
  });

  it("never posts twice when the same record is delivered again", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume, results } = fanout();
    const batch = batchOf(requestedEvent(approval));

    await consume(batch);
    await consume(batch);

    expect(receiver.received).toHaveLength(1);
    expect(results).toEqual(["sent", "skipped_duplicate"]);
  });

  it("retries a 5xx with backoff within the delivery, and the receiver acts on it once", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    receiver.script({ status: 503 }, 1);
    receiver.script({ status: 500 }, 1);
    const { consume, results } = fanout();

    const response = await consume(batchOf(requestedEvent(approval)));

    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.received.map((d) => d.status)).toEqual([503, 500, 200]);
    expect(receiver.received.every((d) => d.verified)).toBe(true);
    expect(new Set(receiver.received.map((d) => d.id)).size).toBe(1);
    expect(receiver.accepted()).toHaveLength(1);
    expect(results).toEqual(["sent"]);
  });

  it("retries a receiver that does not answer in time", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    receiver.script({ hang: true }, 1);
    const { consume } = fanout({ timeoutMs: 300 });

    const response = await consume(batchOf(requestedEvent(approval)));

    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.received).toHaveLength(2);
    expect(receiver.accepted()).toHaveLength(1);
  });

  it("fails the record once its attempts are spent, and the redelivery after the outage sends it", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    receiver.script({ status: 503 });
    const { consume, results } = fanout({ attempts: 2 });
    const batch = batchOf(requestedEvent(approval));

    const during = await consume(batch);
    receiver.heal();
    const after = await consume(batch);

    expect(during.batchItemFailures).toEqual([
      { itemIdentifier: batch.Records[0]?.dynamodb?.SequenceNumber },
    ]);
    expect(after.batchItemFailures).toEqual([]);
    expect(receiver.received.map((d) => d.status)).toEqual([503, 503, 200]);
    expect(results).toEqual(["retryable_error", "sent"]);
  });

  it("resends with the same delivery id when recording failed after the send, so the receiver drops the repeat", async () => {
    // Prepare: the first recording fails, as if the function died between the send and the write.
    const approval = approvalFixture();
    await seed(tables, approval);
    const real = new DynamoDeliveryStore(tables.doc, tables.names);
    let crashes = 1;
    const crashing: DeliveryStore = {
      getApproval: (t, r) => real.getApproval(t, r),
      recordOnce: (t, r, c, s) => real.recordOnce(t, r, c, s),
      recordSeq: async (t, r, c, seq) => {
        if (crashes-- > 0) throw new Error("Lambda timed out");
        return real.recordSeq(t, r, c, seq);
      },
    };
    const { consume } = fanout({ store: crashing });
    const batch = batchOf(requestedEvent(approval));

    // Act
    const first = await consume(batch);
    const second = await consume(batch);
    const third = await consume(batch);

    // Assess
    expect([first, second, third].map((r) => r.batchItemFailures.length)).toEqual([1, 0, 0]);
    expect(receiver.received).toHaveLength(2);
    expect(new Set(receiver.received.map((d) => d.id)).size).toBe(1);
    expect(receiver.accepted()).toHaveLength(1);
  });

  it("counts a 4xx as terminal and does not retry it", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    receiver.script({ status: 410 }, 1);
    const { consume, results } = fanout();

    const response = await consume(batchOf(requestedEvent(approval)));

    expect(response.batchItemFailures).toEqual([]);
    expect(receiver.received).toHaveLength(1);
    expect(results).toEqual(["terminal_error"]);
  });

  it("sends the decision after the request, each its own delivery", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume } = fanout();
    const requested = requestedEvent(approval);
    await consume(batchOf(requested));
    await tables.doc.send(new PutCommand({ TableName: tables.names.Approvals, Item: decided(approval) }));

    await consume(batchOf(requested, decidedEvent(approval)));

    expect(receiver.accepted().map((d) => d.event)).toEqual(["approval.requested", "approval.decided"]);
    const last = JSON.parse(receiver.accepted()[1]?.body ?? "{}") as WebhookBody;
    expect(last.approval).toMatchObject({ status: "APPROVED", decided_by: "bob" });
  });

  it("sends a Teams-compatible Adaptive Card when the endpoint asks for one, signed the same way", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume } = fanout({ format: "adaptive-card" });

    await consume(batchOf(requestedEvent(approval)));

    const [delivery] = receiver.received;
    expect(delivery?.verified).toBe(true);
    const body = JSON.parse(delivery?.body ?? "{}");
    expect(body).toMatchObject({
      type: "message",
      attachments: [
        {
          contentType: "application/vnd.microsoft.card.adaptive",
          content: { type: "AdaptiveCard", version: "1.4" },
        },
      ],
    });
    expect(JSON.stringify(body)).toContain(`gates approve ${approval.task_id} ${approval.request_id}`);
  });
});
