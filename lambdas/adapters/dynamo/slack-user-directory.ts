import { type DynamoDBDocumentClient, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { readItem } from "./dynamo-errors";
import { SLACK_LINK_ITEM } from "./item-schemas";
import { SLACK_USER_INDEX, type TableNames } from "./tables";

/** Slack user ids of linked humans, for mentions in messages. */
export interface SlackUserDirectory {
  /** Slack user ids of the linked humans among `userIds`, by human id; unlinked humans are absent. */
  slackUsersOf(userIds: readonly string[]): Promise<ReadonlyMap<string, string>>;
}

/** The SlackLinks lookups of the Slack channel, on DynamoDB. */
export class DynamoSlackUserDirectory implements SlackUserDirectory {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "SlackLinks">,
  ) {}

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
        const slackUser = slackUserOfLink(readItem(SLACK_LINK_ITEM, item));
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
 * The Slack user of a link: its `slack_user_id`, or the user part of its `<team>#<user>` key. One-time
 * code items (`code#…`) are not links yet.
 */
export function slackUserOfLink(link: {
  readonly slack_key: string;
  readonly slack_user_id?: string;
}): string | undefined {
  const key = link.slack_key;
  if (key.startsWith("code#")) return undefined;
  const candidate = link.slack_user_id ?? key.slice(key.indexOf("#") + 1);
  return SLACK_USER_ID.test(candidate) ? candidate : undefined;
}
