import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBStreamEvent } from "aws-lambda";
import {
  ChannelFailure,
  type ChannelKind,
  type ChannelNotice,
  type DeliveryResult,
  type DeliveryStore,
  type NotificationChannel,
} from "../../lambdas/adapters/channels/channel";
import { channelFanout } from "../../lambdas/adapters/channels/channel-fanout";
import { readItem } from "../../lambdas/adapters/dynamo/dynamo-errors";
import { APPROVAL_ITEM } from "../../lambdas/adapters/dynamo/item-schemas";
import { chainEvent, GENESIS_HASH, type LedgerEvent } from "../../lambdas/core/ledger";
import type { ApprovalRecord } from "../../lambdas/core/records";

const approval = (requestId: string, repo = "acme/app"): ApprovalRecord => ({
  task_id: "t-1",
  request_id: requestId,
  status: "PENDING",
  repo,
  approvers: ["alice"],
  tool_name: "Bash",
  tool_input_preview: "{}",
  tool_input_sha256: "a".repeat(64),
  rule_ids: ["force_push"],
  severity: "high",
  reason: "r",
  timeout_s: 300,
  created_at: "2026-05-01T12:00:00.000Z",
  expires_at: "2026-05-01T12:05:00.000Z",
});

const store = (...approvals: ApprovalRecord[]): DeliveryStore => ({
  getApproval: async (_t, r) => {
    const found = approvals.find((a) => a.request_id === r);
    return found ? { approval: found, states: {} } : undefined;
  },
  recordOnce: async () => "recorded",
  recordSeq: async () => "recorded",
});

/** A channel that records what it was given and answers from a script, per request id. */
function channel(
  name: string,
  kind: ChannelKind,
  fail: (notice: ChannelNotice) => Error | undefined = () => undefined,
) {
  const delivered: string[] = [];
  const attempted: string[] = [];
  const ch: NotificationChannel = {
    name,
    kind,
    deliver: async (notice) => {
      const label = `${notice.event.type}#${String(notice.event.data.request_id)}`;
      attempted.push(label);
      const failure = fail(notice);
      if (failure) throw failure;
      delivered.push(label);
      return "sent";
    },
  };
  return { ch, delivered, attempted };
}

let seq = 0;
const event = (type: LedgerEvent["type"], requestId: string) =>
  chainEvent(GENESIS_HASH, {
    task_id: "t-1",
    seq: ++seq,
    type,
    at: "2026-05-01T12:00:00.000Z",
    actor: { kind: "system", id: "x" },
    data: { request_id: requestId },
  });

const batch = (...events: LedgerEvent[]): DynamoDBStreamEvent => ({
  Records: events.map((e) => ({
    dynamodb: { SequenceNumber: String(e.seq), NewImage: marshall(e) as Record<string, AttributeValue> },
  })),
});

describe("channelFanout", () => {
  it("delivers every request event to every channel, and nothing else", async () => {
    const slack = channel("slack", "slack");
    const hook = channel("webhook:ops", "webhook");
    const consume = channelFanout({ store: store(approval("r1")), channels: [slack.ch, hook.ch] });

    const response = await consume(
      batch(event("task.created", "r1"), event("approval.requested", "r1"), event("approval.decided", "r1")),
    );

    expect(response.batchItemFailures).toEqual([]);
    expect(slack.delivered).toEqual(["approval.requested#r1", "approval.decided#r1"]);
    expect(hook.delivered).toEqual(slack.delivered);
  });

  it("keeps delivering on one channel while another fails, and fails only the records that one missed", async () => {
    const slack = channel("slack", "slack", () => new ChannelFailure("retryable", "http_503"));
    const hook = channel("webhook:ops", "webhook");
    const results: [ChannelKind, DeliveryResult][] = [];
    const consume = channelFanout({
      store: store(approval("r1"), approval("r2")),
      channels: [slack.ch, hook.ch],
      metrics: { count: (c, r) => results.push([c, r]), flush: () => undefined },
    });
    const events = [event("approval.requested", "r1"), event("approval.requested", "r2")];

    const response = await consume(batch(...events));

    expect(hook.delivered).toEqual(["approval.requested#r1", "approval.requested#r2"]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(events.map((e) => String(e.seq)));
    expect(results).toEqual(
      expect.arrayContaining([
        ["slack", "retryable_error"],
        ["webhook", "sent"],
      ]),
    );
  });

  it("logs an unreadable request item by its table, key and field, never its values, and retries the record", async () => {
    // Prepare: the request's stored severity is no longer a severity.
    const warnings: Record<string, unknown>[] = [];
    const hook = channel("webhook:ops", "webhook");
    const unreadable: DeliveryStore = {
      ...store(),
      getApproval: async () => ({
        approval: readItem(APPROVAL_ITEM, { ...approval("r1"), severity: "sk-live-secret" }),
        states: {},
      }),
    };
    const consume = channelFanout({
      store: unreadable,
      channels: [hook.ch],
      logger: {
        info: () => undefined,
        warn: (_m: string, extra: Record<string, unknown>) => warnings.push(extra),
        error: () => undefined,
      },
    });
    const requested = event("approval.requested", "r1");

    // Act
    const response = await consume(batch(requested));

    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: String(requested.seq) }]);
    expect(String(warnings[0]?.reason)).toMatch(
      /^ServiceUnavailableError: Approvals item .*"r1".* at severity/,
    );
    expect(JSON.stringify(warnings)).not.toContain("sk-live-secret");
  });

  it("runs the channels side by side, so a channel that hangs does not hold the others' deliveries", async () => {
    let release: () => void = () => undefined;
    const hung = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: NotificationChannel = {
      name: "slack",
      kind: "slack",
      deliver: async () => {
        await hung;
        return "posted";
      },
    };
    const hook = channel("webhook:ops", "webhook");
    const consume = channelFanout({ store: store(approval("r1")), channels: [slow, hook.ch] });

    const done = consume(batch(event("approval.requested", "r1")));
    // The webhook delivers while Slack is still hanging; the batch ends once Slack does.
    await waitUntil(() => hook.delivered.length === 1);
    release();
    expect((await done).batchItemFailures).toEqual([]);
  });

  it("holds back a request's later events on the channel that failed it, never letting them overtake", async () => {
    const hook = channel("webhook:ops", "webhook", (n) =>
      n.event.type === "approval.requested" && n.event.data.request_id === "r1"
        ? new ChannelFailure("retryable", "timeout")
        : undefined,
    );
    const consume = channelFanout({ store: store(approval("r1"), approval("r2")), channels: [hook.ch] });
    const events = [
      event("approval.requested", "r1"),
      event("approval.requested", "r2"),
      event("approval.decided", "r1"),
    ];

    const response = await consume(batch(...events));

    expect(hook.attempted).toEqual(["approval.requested#r1", "approval.requested#r2"]);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      String(events[0]?.seq),
      String(events[2]?.seq),
    ]);
  });

  it("stops calling a channel after two failures in a batch, failing its remaining records at once", async () => {
    const down = channel("webhook:ops", "webhook", () => new ChannelFailure("retryable", "timeout"));
    const consume = channelFanout({
      store: store(approval("r1"), approval("r2"), approval("r3")),
      channels: [down.ch],
    });

    const response = await consume(
      batch(
        event("approval.requested", "r1"),
        event("approval.requested", "r2"),
        event("approval.requested", "r3"),
      ),
    );

    expect(down.attempted).toHaveLength(2);
    expect(response.batchItemFailures).toHaveLength(3);
  });

  it("counts a terminal failure and lets the record succeed", async () => {
    const refused = channel("webhook:ops", "webhook", () => new ChannelFailure("terminal", "http_410"));
    const results: DeliveryResult[] = [];
    const consume = channelFanout({
      store: store(approval("r1")),
      channels: [refused.ch],
      metrics: { count: (_c, r) => results.push(r), flush: () => undefined },
    });

    expect((await consume(batch(event("approval.requested", "r1")))).batchItemFailures).toEqual([]);
    expect(results).toEqual(["terminal_error"]);
  });

  it("sends a repo's requests only to the channels its settings name", async () => {
    const slack = channel("slack", "slack");
    const hook = channel("webhook:ops", "webhook");
    const consume = channelFanout({
      store: store(approval("r1", "acme/app"), approval("r2", "acme/quiet")),
      channels: [slack.ch, hook.ch],
      routing: { channelsOf: async (repo) => (repo === "acme/quiet" ? ["webhook:ops"] : undefined) },
    });

    await consume(batch(event("approval.requested", "r1"), event("approval.requested", "r2")));

    expect(slack.delivered).toEqual(["approval.requested#r1"]);
    expect(hook.delivered).toEqual(["approval.requested#r1", "approval.requested#r2"]);
  });
});

/** Resolves once `condition` holds, checking on every turn of the event loop; fails after 2 s. */
async function waitUntil(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 2_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met within 2 s");
    await new Promise((resolve) => setImmediate(resolve));
  }
}
