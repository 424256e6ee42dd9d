import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from "@aws-sdk/lib-dynamodb";
import type { SlackUser } from "../../core/slack/payloads";
import type { BindResult, LinkCodeRecord, SlackLinkStore } from "../../core/slack/ports";
import { callDynamo, readItem } from "./dynamo-errors";
import { LINK_CODE_ITEM, SLACK_LINK_ITEM } from "./item-schemas";
import { SLACK_USER_INDEX, type TableNames, TTL_ATTRIBUTE } from "./tables";

const linkKey = (user: SlackUser) => `${user.teamId}#${user.userId}`;
const codeKey = (code: string) => `code#${code}`;
const epochS = (at: Date) => Math.floor(at.getTime() / 1000);

/**
 * SlackLinks in DynamoDB: a link is `<team>#<user>` → `user_id`; a pending code is
 * `code#<CODE>` → the Slack user, with a TTL. Expiry is checked on read too, because TTL
 * deletes lazily (up to days later).
 */
export class DynamoSlackLinkStore implements SlackLinkStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async humanOf(user: SlackUser): Promise<string | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tables.SlackLinks,
          Key: { slack_key: linkKey(user) },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? readItem(SLACK_LINK_ITEM, out.Item).user_id : undefined;
  }

  async putCode(record: LinkCodeRecord): Promise<void> {
    await callDynamo(() =>
      this.doc.send(
        new PutCommand({
          TableName: this.tables.SlackLinks,
          Item: {
            slack_key: codeKey(record.code),
            slack_team_id: record.teamId,
            slack_user_id: record.userId,
            expires_at_s: epochS(record.expiresAt),
            [TTL_ATTRIBUTE]: epochS(record.expiresAt),
          },
          // 40 random bits make a collision unlikely; if one happens, fail rather than hijack.
          ConditionExpression: "attribute_not_exists(slack_key)",
        }),
      ),
    );
  }

  async getCode(code: string, now: Date): Promise<LinkCodeRecord | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tables.SlackLinks,
          Key: { slack_key: codeKey(code) },
          ConsistentRead: true,
        }),
      ),
    );
    if (!out.Item) return undefined;
    const item = readItem(LINK_CODE_ITEM, out.Item);
    if (item.expires_at_s <= epochS(now)) return undefined;
    return {
      code,
      teamId: item.slack_team_id,
      userId: item.slack_user_id,
      expiresAt: new Date(item.expires_at_s * 1000),
    };
  }

  async bind(code: LinkCodeRecord, humanId: string, now: Date): Promise<BindResult> {
    try {
      await callDynamo(() =>
        this.doc.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: this.tables.SlackLinks,
                  Key: { slack_key: codeKey(code.code) },
                  // Single use and unexpired, even against a concurrent bind of the same code.
                  ConditionExpression: "attribute_exists(slack_key) AND expires_at_s > :now",
                  ExpressionAttributeValues: { ":now": epochS(now) },
                },
              },
              {
                Put: {
                  TableName: this.tables.SlackLinks,
                  Item: {
                    slack_key: linkKey(code),
                    user_id: humanId,
                    slack_team_id: code.teamId,
                    slack_user_id: code.userId,
                    linked_at: now.toISOString(),
                  },
                  ConditionExpression: "attribute_not_exists(slack_key)",
                },
              },
            ],
          }),
        ),
      );
      return "linked";
    } catch (error) {
      const cause = error instanceof Error && error.cause !== undefined ? error.cause : error;
      if (!(cause instanceof TransactionCanceledException)) throw error;
      const [codeReason, linkReason] = (cause.CancellationReasons ?? []).map((r) => r.Code);
      if (linkReason === "ConditionalCheckFailed") return "already_linked";
      if (codeReason === "ConditionalCheckFailed") return "no_code";
      throw error;
    }
  }

  async unlinkHuman(humanId: string): Promise<number> {
    const out = await callDynamo(() =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.SlackLinks,
          IndexName: SLACK_USER_INDEX,
          KeyConditionExpression: "user_id = :id",
          ExpressionAttributeValues: { ":id": humanId },
          ProjectionExpression: "slack_key",
        }),
      ),
    );
    const keys = (out.Items ?? []).map((i) => i.slack_key).filter((k): k is string => typeof k === "string");
    // A human has a handful of links at most; single deletes need no retry of unprocessed items.
    for (const slack_key of keys) {
      await callDynamo(() =>
        this.doc.send(new DeleteCommand({ TableName: this.tables.SlackLinks, Key: { slack_key } })),
      );
    }
    return keys.length;
  }
}
