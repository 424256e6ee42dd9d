import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { AttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { DeliveryResult, DeliveryStore } from "../../../lambdas/adapters/channels/channel";
import { channelFanout } from "../../../lambdas/adapters/channels/channel-fanout";
import { emfDeliveryMetrics } from "../../../lambdas/adapters/channels/delivery-metrics";
import { DynamoDeliveryStore } from "../../../lambdas/adapters/dynamo/delivery-store";
import { DynamoSlackUserDirectory } from "../../../lambdas/adapters/dynamo/slack-user-directory";
import { slackChannel } from "../../../lambdas/adapters/slack/outbound/slack-notifications";
import { webApiMessages } from "../../../lambdas/adapters/slack/outbound/slack-web-api";
import { createSlackClient } from "../../../lambdas/adapters/slack/slack-client";
import { chainEvent, GENESIS_HASH, type LedgerEvent } from "../../../lambdas/core/ledger";
import type { ApprovalRecord } from "../../../lambdas/core/records";
import type { FakeSlack } from "../../support/fake-slack";
import type { FreshTables } from "../setup/dynamo";

/** The channel every outbound test posts to. */
export const CHANNEL = "CAPPROVALS";

let requestCounter = 0;

/** A PENDING request of task `t-slack` as the control plane stores it, with bob as a linked approver. */
export function approvalFixture(overrides: Partial<ApprovalRecord> = {}): ApprovalRecord {
  requestCounter += 1;
  return {
    task_id: "t-slack",
    request_id: `01JREQ${String(requestCounter).padStart(6, "0")}`,
    status: "PENDING",
    repo: "acme/app",
    approvers: ["alice", "bob"],
    tool_name: "Bash",
    tool_input_preview: '{"command":"git push --force origin main"}',
    tool_input_sha256: "a".repeat(64),
    rule_ids: ["force_push", "force_push_protected"],
    severity: "high",
    reason: "Force pushes rewrite shared history",
    timeout_s: 900,
    created_at: "2026-05-01T12:00:00.000Z",
    expires_at: "2026-05-01T12:15:00.000Z",
    ...overrides,
  };
}

/** The approval as decided by `by` through the API. */
export function decided(approval: ApprovalRecord, by = "bob", status: ApprovalRecord["status"] = "APPROVED") {
  return { ...approval, status, decided_by: by, via: "api" as const, decided_at: "2026-05-01T12:03:00.000Z" };
}

/** Writes approvals (and the link of bob to Slack user UBOB) into the tables. */
export async function seed(tables: FreshTables, ...approvals: ApprovalRecord[]): Promise<void> {
  for (const item of approvals)
    await tables.doc.send(new PutCommand({ TableName: tables.names.Approvals, Item: item }));
  await tables.doc.send(
    new PutCommand({ TableName: tables.names.SlackLinks, Item: { slack_key: "TFAKE#UBOB", user_id: "bob" } }),
  );
}

let seqCounter = 100;

/** The ledger event announcing a request. */
export function requestedEvent(a: ApprovalRecord): LedgerEvent {
  seqCounter += 1;
  return chainEvent(GENESIS_HASH, {
    task_id: a.task_id,
    seq: seqCounter,
    type: "approval.requested",
    at: a.created_at,
    actor: { kind: "agent", id: "agent-1" },
    data: { request_id: a.request_id, tool_name: a.tool_name, severity: a.severity, rule_ids: a.rule_ids },
  });
}

/** The ledger event of a decision. */
export function decidedEvent(a: ApprovalRecord): LedgerEvent {
  seqCounter += 1;
  return chainEvent(GENESIS_HASH, {
    task_id: a.task_id,
    seq: seqCounter,
    type: "approval.decided",
    at: "2026-05-01T12:03:00.000Z",
    actor: { kind: "human", id: "bob" },
    data: { request_id: a.request_id, status: "APPROVED", decided_by: "bob", via: "api" },
  });
}

/** Ledger events as one stream batch, each record named by its seq. */
export function batchOf(...events: LedgerEvent[]): DynamoDBStreamEvent {
  return {
    Records: events.map(
      (e): DynamoDBRecord => ({
        eventName: "INSERT",
        eventSource: "aws:dynamodb",
        dynamodb: {
          SequenceNumber: String(e.seq),
          // Ledger events hold no binary values, the one place SDK and Lambda attribute values differ.
          NewImage: marshall(e) as Record<string, AttributeValue>,
        },
      }),
    ),
  };
}

/** The fan-out with Slack as its one channel, over the fake Slack and real tables, its counts collected per result. */
export function fanoutFor(slack: FakeSlack, tables: FreshTables, overrides: { store?: DeliveryStore } = {}) {
  const results: DeliveryResult[] = [];
  const lines: string[] = [];
  const store = new DynamoDeliveryStore(tables.doc, tables.names);
  const used = overrides.store ?? store;
  const emf = emfDeliveryMetrics((line) => lines.push(line));
  const consume = channelFanout({
    store: used,
    channels: [
      slackChannel({
        slack: webApiMessages(createSlackClient({ token: "xoxb-test", apiUrl: slack.apiUrl }), {
          channel: CHANNEL,
        }),
        store: used,
        users: new DynamoSlackUserDirectory(tables.doc, tables.names),
      }),
    ],
    metrics: {
      count: (channel, r) => {
        results.push(r);
        emf.count(channel, r);
      },
      flush: () => emf.flush(),
    },
  });
  return { consume, store, results, lines };
}

/** The action ids of a message's blocks, in order. */
export function actionIdsOf(blocks: unknown): string[] {
  if (!Array.isArray(blocks)) return [];
  const ids: string[] = [];
  for (const block of blocks) {
    const elements = (block as { elements?: { action_id?: string }[] }).elements ?? [];
    for (const e of elements) if (e.action_id) ids.push(e.action_id);
  }
  return ids;
}

/** Every mrkdwn and plain text of a message's blocks, joined, for `toContain` checks. */
export function textOf(blocks: unknown): string {
  return JSON.stringify(blocks);
}
