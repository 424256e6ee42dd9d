import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { DeliveryStore } from "../../../lambdas/adapters/channels/channel";
import { type FakeSlack, startFakeSlack } from "../../support/fake-slack";
import { type FreshTables, freshTables } from "../setup/dynamo";
import {
  actionIdsOf,
  approvalFixture,
  batchOf,
  CHANNEL,
  decided,
  decidedEvent,
  fanoutFor,
  requestedEvent,
  seed,
  textOf,
} from "./outbound-support";

let slack: FakeSlack;
let tables: FreshTables;

beforeAll(async () => {
  tables = await freshTables();
});
beforeEach(async () => {
  slack = await startFakeSlack();
});
afterEach(async () => {
  await slack.close();
});

describe("the Slack fan-out posting a request", () => {
  it("posts one message with the request, mentions, a Slack date, buttons and metadata, and records it", async () => {
    // Prepare
    const approval = approvalFixture({ tool_input_preview: '{"command":"echo <b>&\u001b[31m"}' });
    await seed(tables, approval);
    const { consume, store, results, lines } = fanoutFor(slack, tables);

    // Act
    const response = await consume(batchOf(requestedEvent(approval)));

    // Assess
    expect(response.batchItemFailures).toEqual([]);
    const [message, ...others] = slack.messages(CHANNEL);
    expect(others).toEqual([]);
    const text = textOf(message?.blocks);
    expect(text).toContain("<@UBOB>");
    expect(text).toContain("alice");
    expect(text).toContain("<!date^1777637700^{date_short_pretty} {time}|2026-05-01T12:15:00.000Z>");
    // The terminal escape is gone; Slack's three special characters are escaped.
    expect(text).toContain('```{\\"command\\":\\"echo &lt;b&gt;&amp;\\"}```');
    expect(text).toContain("force_push");
    expect(text).toContain("acme/app");
    expect(actionIdsOf(message?.blocks)).toEqual(["approve", "approve_scope", "deny"]);
    const value = `${approval.task_id}|${approval.request_id}`;
    expect(text).toContain(`"value":"${value}"`);
    expect(text).toContain(`"block_id":"gates_actions|${value}"`);
    for (const choice of ["this_call", "tool", "rule"]) expect(text).toContain(`"value":"${choice}"`);
    expect(message?.metadata).toEqual({
      event_type: "gates_approval_request",
      event_payload: { task_id: approval.task_id, request_id: approval.request_id },
    });
    expect((await store.getApproval(approval.task_id, approval.request_id))?.states.slack).toEqual({
      channel: CHANNEL,
      ts: message?.ts,
    });
    expect(results).toEqual(["posted"]);
    expect(lines.join("\n")).toContain('"channel":"slack","result":"posted","ChannelDeliveries":1');
  });

  it("never posts twice when the same record is delivered again", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume, results } = fanoutFor(slack, tables);
    const batch = batchOf(requestedEvent(approval));

    await consume(batch);
    await consume(batch);

    expect(slack.callsTo("chat.postMessage")).toHaveLength(1);
    expect(results).toEqual(["posted", "skipped_duplicate"]);
  });

  it("finds a message posted by an attempt that failed before recording it, and posts no second one", async () => {
    // Prepare: the first recording fails, as if the function died between the post and the write.
    const approval = approvalFixture();
    await seed(tables, approval);
    const real = fanoutFor(slack, tables).store;
    let crashes = 1;
    const crashing: DeliveryStore = {
      getApproval: (t, r) => real.getApproval(t, r),
      recordSeq: (t, r, c, seq) => real.recordSeq(t, r, c, seq),
      recordOnce: async (t, r, c, ref) => {
        if (crashes-- > 0) throw new Error("Lambda timed out");
        return real.recordOnce(t, r, c, ref);
      },
    };
    const { consume, results } = fanoutFor(slack, tables, { store: crashing });
    const event = requestedEvent(approval);

    // Act
    const first = await consume(batchOf(event));
    const second = await consume(batchOf(event));

    // Assess
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: String(event.seq) }]);
    expect(second.batchItemFailures).toEqual([]);
    expect(slack.messages(CHANNEL)).toHaveLength(1);
    expect((await real.getApproval(approval.task_id, approval.request_id))?.states.slack).toMatchObject({
      ts: slack.messages(CHANNEL)[0]?.ts,
    });
    // The failed attempt is counted by the record's failure, not as a delivery.
    expect(results).toEqual(["skipped_duplicate"]);
  });

  it("shows the CLI command instead of buttons for a critical request", async () => {
    const approval = approvalFixture({ severity: "critical" });
    await seed(tables, approval);
    const { consume } = fanoutFor(slack, tables);

    await consume(batchOf(requestedEvent(approval)));

    const blocks = slack.messages(CHANNEL)[0]?.blocks;
    expect(actionIdsOf(blocks)).toEqual([]);
    expect(textOf(blocks)).toContain(`gates approve ${approval.task_id} ${approval.request_id}`);
  });
});

describe("the Slack fan-out on a decision", () => {
  it("updates the request's message in place: outcome, who, via, when, and no buttons", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume, results } = fanoutFor(slack, tables);
    await consume(batchOf(requestedEvent(approval)));

    await tables.doc.send(
      new PutCommand({
        TableName: tables.names.Approvals,
        Item: { ...decided(approval), slack: { channel: CHANNEL, ts: slack.messages()[0]?.ts } },
      }),
    );
    await consume(batchOf(decidedEvent(approval)));

    const [message, ...others] = slack.messages(CHANNEL);
    expect(others).toEqual([]);
    expect(message?.updates).toBe(1);
    expect(actionIdsOf(message?.blocks)).toEqual([]);
    const text = textOf(message?.blocks);
    expect(text).toContain("Approved");
    expect(text).toContain("by <@UBOB>");
    expect(text).toContain("via api");
    expect(text).toContain("<!date^1777636980^");
    expect(results).toEqual(["posted", "updated"]);
  });

  it("finds the message by its metadata when the decision's write dropped the recorded reference", async () => {
    const approval = approvalFixture();
    await seed(tables, approval);
    const { consume } = fanoutFor(slack, tables);
    await consume(batchOf(requestedEvent(approval)));

    // The decision replaces the whole item; a reference recorded after it was read is gone.
    await tables.doc.send(new PutCommand({ TableName: tables.names.Approvals, Item: decided(approval) }));
    await consume(batchOf(decidedEvent(approval)));

    expect(slack.messages(CHANNEL)).toHaveLength(1);
    expect(slack.messages(CHANNEL)[0]?.updates).toBe(1);
  });

  it("posts the final state when the decision came before the post, then keeps to that one message", async () => {
    const approval = approvalFixture();
    await seed(tables, decided(approval, "alice", "DENIED"));
    const { consume, results } = fanoutFor(slack, tables);

    await consume(batchOf(requestedEvent(approval), decidedEvent(approval)));

    const [message, ...others] = slack.messages(CHANNEL);
    expect(others).toEqual([]);
    expect(actionIdsOf(message?.blocks)).toEqual([]);
    expect(textOf(message?.blocks)).toContain("Denied");
    expect(results).toEqual(["posted", "updated"]);
  });

  it("posts the final state for a decision whose request was never posted", async () => {
    const approval = approvalFixture();
    await seed(tables, decided(approval));
    const { consume } = fanoutFor(slack, tables);

    await consume(batchOf(decidedEvent(approval)));

    expect(slack.messages(CHANNEL)).toHaveLength(1);
    expect(actionIdsOf(slack.messages(CHANNEL)[0]?.blocks)).toEqual([]);
  });
});

describe("Slack delivery errors", () => {
  it("counts a terminal error and lets the record succeed, so later records are delivered", async () => {
    const [a, b] = [approvalFixture(), approvalFixture()];
    if (!a || !b) throw new Error("fixtures");
    await seed(tables, a, b);
    slack.fail("chat.postMessage", { error: "channel_not_found" }, 1);
    const { consume, results } = fanoutFor(slack, tables);

    const response = await consume(batchOf(requestedEvent(a), requestedEvent(b)));

    expect(response.batchItemFailures).toEqual([]);
    expect(results).toEqual(["terminal_error", "posted"]);
    expect(slack.messages(CHANNEL).map((m) => m.metadata)).toEqual([
      {
        event_type: "gates_approval_request",
        event_payload: { task_id: b.task_id, request_id: b.request_id },
      },
    ]);
  });

  it.each([
    ["HTTP 500", { status: 500 as const }],
    ["HTTP 429 with retry-after", { status: 429 as const, retryAfterS: 30 }],
    ["ratelimited", { error: "ratelimited" }],
    ["internal_error", { error: "internal_error" }],
  ])("fails only the record on %s, and a redelivery posts it exactly once", async (_name, failure) => {
    const [a, b] = [approvalFixture(), approvalFixture()];
    if (!a || !b) throw new Error("fixtures");
    await seed(tables, a, b);
    slack.fail("chat.postMessage", failure, 1);
    const { consume, results } = fanoutFor(slack, tables);
    const batch = batchOf(requestedEvent(a), requestedEvent(b));

    const first = await consume(batch);
    const second = await consume(batch);

    expect(first.batchItemFailures).toEqual([{ itemIdentifier: batch.Records[0]?.dynamodb?.SequenceNumber }]);
    expect(second.batchItemFailures).toEqual([]);
    expect(slack.messages(CHANNEL)).toHaveLength(2);
    expect(results).toEqual(["retryable_error", "posted", "posted", "skipped_duplicate"]);
  });
});
