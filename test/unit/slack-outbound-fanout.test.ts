import { marshall } from "@aws-sdk/util-dynamodb";
import { WebAPIPlatformError, WebAPIRequestError } from "@slack/web-api";
import type { AttributeValue, DynamoDBStreamEvent } from "aws-lambda";
import type { DeliveryResult, DeliveryStore } from "../../lambdas/adapters/channels/channel";
import { channelFanout } from "../../lambdas/adapters/channels/channel-fanout";
import type { ApprovalMessage } from "../../lambdas/adapters/slack/outbound/approval-message";
import { slackChannel } from "../../lambdas/adapters/slack/outbound/slack-notifications";
import type { SlackMessageApi, SlackMessageRef } from "../../lambdas/adapters/slack/outbound/slack-web-api";
import { chainEvent, GENESIS_HASH, type LedgerEvent } from "../../lambdas/core/ledger";
import type { ApprovalRecord } from "../../lambdas/core/records";

type SlackApproval = ApprovalRecord & { slack?: SlackMessageRef };

const APPROVAL: SlackApproval = {
  task_id: "t-1",
  request_id: "r-1",
  status: "PENDING",
  repo: "acme/app",
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
};

/** An in-memory store and Slack: the posts are what Slack would show. */
function fakes(approval: SlackApproval | null = APPROVAL) {
  const items = new Map<string, SlackApproval>(approval ? [[approval.request_id, approval]] : []);
  const posts: { ref: SlackMessageRef; message: ApprovalMessage }[] = [];
  const failures: unknown[] = [];
  const store: DeliveryStore = {
    getApproval: async (_t, r) => {
      const item = items.get(r);
      if (!item) return undefined;
      const { slack: ref, ...record } = item;
      return { approval: record, states: ref ? { slack: ref } : {} };
    },
    recordOnce: async (_t, r, _channel, ref) => {
      const item = items.get(r);
      if (!item) return "approval_missing";
      if (item.slack) return "already_recorded";
      items.set(r, { ...item, slack: ref as SlackMessageRef });
      return "recorded";
    },
    recordSeq: async () => "recorded",
  };
  const next = () => {
    const failure = failures.shift();
    if (failure !== undefined) throw failure;
  };
  const slack: SlackMessageApi = {
    post: async (message) => {
      next();
      const ref = { channel: "C1", ts: `${posts.length + 1}.0` };
      posts.push({ ref, message });
      return ref;
    },
    update: async (ref, message) => {
      next();
      const post = posts.find((p) => p.ref.ts === ref.ts);
      if (post) post.message = message;
    },
    findRequestMessage: async (_t, r) => {
      next();
      return posts.find((p) => p.message.metadata.event_payload.request_id === r)?.ref;
    },
  };
  const results: DeliveryResult[] = [];
  const consume = channelFanout({
    store,
    channels: [slackChannel({ slack, store, users: { slackUsersOf: async () => new Map() } })],
    metrics: { count: (_channel, r) => results.push(r), flush: () => undefined },
  });
  return { items, posts, failures, consume, results };
}

function batch(...events: LedgerEvent[]): DynamoDBStreamEvent {
  return {
    Records: events.map((e) => ({
      dynamodb: { SequenceNumber: String(e.seq), NewImage: marshall(e) as Record<string, AttributeValue> },
    })),
  };
}

const event = (
  type: LedgerEvent["type"],
  seq: number,
  data: Record<string, unknown> = { request_id: "r-1" },
) =>
  chainEvent(GENESIS_HASH, {
    task_id: "t-1",
    seq,
    type,
    at: "2026-05-01T12:00:00.000Z",
    actor: { kind: "system", id: "x" },
    data,
  });

describe("the Slack channel on the fan-out", () => {
  it("ignores events other than requests and decisions", async () => {
    const { consume, posts, results } = fakes();
    await consume(batch(event("task.created", 1, {}), event("tool_call.evaluated", 2, {})));
    expect(posts).toEqual([]);
    expect(results).toEqual([]);
  });

  it("posts once however often the request is delivered", async () => {
    const { consume, posts, results } = fakes();
    const requested = batch(event("approval.requested", 3));
    await consume(requested);
    await consume(requested);
    expect(posts).toHaveLength(1);
    expect(results).toEqual(["posted", "skipped_duplicate"]);
  });

  it("counts a request whose approval is gone and lets the record succeed", async () => {
    const { consume, results } = fakes(null);
    expect(await consume(batch(event("approval.requested", 3)))).toEqual({ batchItemFailures: [] });
    expect(results).toEqual(["skipped_missing"]);
  });

  it("fails only a record whose Slack call can be retried, and keeps going", async () => {
    const { consume, failures, results, items } = fakes();
    items.set("r-2", { ...APPROVAL, request_id: "r-2" });
    failures.push(new WebAPIRequestError(new Error("ECONNRESET")));
    const response = await consume(
      batch(event("approval.requested", 3), event("approval.requested", 4, { request_id: "r-2" })),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "3" }]);
    expect(results).toEqual(["retryable_error", "posted"]);
  });

  it("lets a record with a terminal Slack error succeed", async () => {
    const { consume, failures, results } = fakes();
    failures.push(new WebAPIPlatformError({ ok: false, error: "not_in_channel" }));
    const response = await consume(batch(event("approval.requested", 3)));
    expect(response.batchItemFailures).toEqual([]);
    expect(results).toEqual(["terminal_error"]);
  });

  it("updates the posted message on the decision, with no buttons left", async () => {
    const { consume, posts, items, results } = fakes();
    await consume(batch(event("approval.requested", 3)));
    const current = items.get("r-1");
    if (current) items.set("r-1", { ...current, status: "APPROVED", decided_by: "alice", via: "api" });
    await consume(batch(event("approval.decided", 4)));
    expect(posts).toHaveLength(1);
    expect(JSON.stringify(posts[0]?.message.blocks)).not.toContain("action_id");
    expect(results).toEqual(["posted", "updated"]);
  });

  it("updates the same message in place on each vote of a quorum, buttons kept until the decision", async () => {
    const { consume, posts, items, results } = fakes({
      ...APPROVAL,
      approvers: ["alice", "bob"],
      approvals_required: 2,
    });
    await consume(batch(event("approval.requested", 3)));
    const vote = (by: string) => ({
      by,
      at: "2026-05-01T12:01:00.000Z",
      via: "api" as const,
      scope: "this_call",
    });
    const current = items.get("r-1") as SlackApproval;
    items.set("r-1", { ...current, votes: [vote("alice")] });

    await consume(batch(event("approval.voted", 4)));
    const afterVote = JSON.stringify(posts[0]?.message.blocks);

    items.set("r-1", {
      ...current,
      votes: [vote("alice"), vote("bob")],
      status: "APPROVED",
      decided_by: "bob",
    });
    await consume(batch(event("approval.decided", 5)));

    expect(posts).toHaveLength(1);
    expect(afterVote).toContain("1 of 2 approvals (alice)");
    expect(afterVote).toContain('"action_id":"approve"');
    expect(JSON.stringify(posts[0]?.message.blocks)).toContain("2 of 2 approvals (alice, bob)");
    expect(results).toEqual(["posted", "updated", "updated"]);
  });

  it("fails a record whose image is not a ledger event", async () => {
    const { consume } = fakes();
    const response = await consume({
      Records: [{ dynamodb: { SequenceNumber: "9", NewImage: { task_id: { S: "t-1" } } } }],
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: "9" }]);
  });
});
