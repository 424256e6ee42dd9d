import { type DynamoDBDocumentClient, GetCommand, QueryCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { ApprovalRecord } from "../../core/records";
import { isConditionFailed } from "./dynamo-errors";
import { SLACK_USER_INDEX, type TableNames } from "./tables";

/** Where a request's Slack message lives: enough to update it in place. */
export interface SlackMessageRef {
  readonly channel: string;
  readonly ts: string;
}

/** An approval as the Slack fan-out reads it: the record plus its message, once one is recorded. */
export type SlackApproval = ApprovalRecord & { readonly slack?: SlackMessageRef };

/** What recording a message reference did. */
export type RecordOutcome = "recorded" | "already_recorded" | "approval_missing";

/** The Approvals and SlackLinks access the fan-out needs, as a port so its logic can be tested with a fake. */
export interface SlackMessageStore {
  /** The approval with its Slack reference, read strongly so a decision just made is seen. */
  getApproval(taskId: string, requestId: string): Promise<SlackApproval | undefined>;
  /** Records the message of a request once; a second reference never replaces the first. */
  recordMessage(taskId: string, requestId: string, ref: SlackMessageRef): Promise<RecordOutcome>;
  /** Slack user ids of the linked humans among `userIds`, by human id; unlinked humans are absent. */
  slackUsersOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** The Slack fan-out's reads and its one conditional write, on DynamoDB. */
export class DynamoSlackMessageStore implements SlackMessageStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "Approvals" | "SlackLinks">,
  ) {}

  async getApproval(taskId: string, requestId: string): Promise<SlackApproval | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tables.Approvals,
        Key: { task_id: taskId, request_id: requestId },
        ConsistentRead: true,
      }),
    );
    return out.Item as SlackApproval | undefined;
  }

  async recordMessage(taskId: string, requestId: string, ref: SlackMessageRef): Promise<RecordOutcome> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.Approvals,
          Key: { task_id: taskId, request_id: requestId },
          UpdateExpression: "SET slack = :ref",
          // Never creates an item for a request that is gone, and never replaces the first message's reference.
          ConditionExpression: "attribute_exists(request_id) AND attribute_not_exists(slack)",
          ExpressionAttributeValues: { ":ref": { channel: ref.channel, ts: ref.ts } },
        }),
      );
      return "recorded";
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const current = await this.getApproval(taskId, requestId);
      return current ? "already_recorded" : "approval_missing";
    }
  }

  async slackUsersOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>> {
    const found = new Map<string, string>();
    for (const userId of new Set(userIds)) {
      const out = await this.doc.send(
        new QueryCommand({
          TableName: this.tables.SlackLinks,
          IndexName: SLACK_USER_INDEX,
          KeyConditionExpression: "user_id = :u",
          ExpressionAttributeValues: { ":u": userId },
        }),
      );
      for (const item of out.Items ?? []) {
        const slackUser = slackUserOfLink(item);
        if (slackUser !== undefined) {
          found.set(userId, slackUser);
          break;
        }
      }
    }
    return found;
  }
}

/** Slack user ids look like `U…` or `W…`; anything else is not put in a mention. */
const SLACK_USER_ID = /^[UW][A-Z0-9]{2,}$/;

/**
 * The Slack user of a link item: its `slack_user_id` attribute, or the user part of its `<team>#<user>`
 * key. One-time code items (`code#…`) are not links yet.
 */
export function slackUserOfLink(item: Readonly<Record<string, unknown>>): string | undefined {
  const key = item.slack_key;
  if (typeof key !== "string" || key.startsWith("code#")) return undefined;
  const explicit = item.slack_user_id;
  const candidate = typeof explicit === "string" ? explicit : key.slice(key.indexOf("#") + 1);
  return SLACK_USER_ID.test(candidate) ? candidate : undefined;
}
