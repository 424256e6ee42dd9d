import { type DynamoDBDocumentClient, GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DeliveredApproval, DeliveryStore, RecordOutcome } from "../channels/channel";
import { isConditionFailed, readItem } from "./dynamo-errors";
import { APPROVAL_ITEM } from "./item-schemas";
import type { TableNames } from "./tables";

/**
 * A channel's state lives on the request item, in an attribute of its own (`delivery:slack`,
 * `delivery:webhook:ops`), so each channel's conditional write stands alone and the state goes
 * when TTL removes the request.
 */
const STATE_PREFIX = "delivery:";

/** Where items written before channels kept the Slack message reference. */
const LEGACY_SLACK_ATTRIBUTE = "slack";

/** The fan-out's reads of requests and its conditional writes of channel state, on the Approvals table. */
export class DynamoDeliveryStore implements DeliveryStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "Approvals">,
  ) {}

  async getApproval(taskId: string, requestId: string): Promise<DeliveredApproval | undefined> {
    const out = await this.doc.send(
      new GetCommand({
        TableName: this.tables.Approvals,
        Key: { task_id: taskId, request_id: requestId },
        ConsistentRead: true,
      }),
    );
    return out.Item ? splitItem(out.Item) : undefined;
  }

  recordOnce(taskId: string, requestId: string, channel: string, state: object): Promise<RecordOutcome> {
    return this.record(taskId, requestId, {
      UpdateExpression: "SET #state = :state",
      // Never creates an item for a request that is gone, and never replaces the first state.
      ConditionExpression: "attribute_exists(request_id) AND attribute_not_exists(#state)",
      ExpressionAttributeNames: { "#state": `${STATE_PREFIX}${channel}` },
      ExpressionAttributeValues: { ":state": { ...state } },
    });
  }

  recordSeq(taskId: string, requestId: string, channel: string, seq: number): Promise<RecordOutcome> {
    return this.record(taskId, requestId, {
      UpdateExpression: "SET #state = :state",
      ConditionExpression:
        "attribute_exists(request_id) AND (attribute_not_exists(#state) OR #state.#seq < :seq)",
      ExpressionAttributeNames: { "#state": `${STATE_PREFIX}${channel}`, "#seq": "seq" },
      ExpressionAttributeValues: { ":state": { seq }, ":seq": seq },
    });
  }

  private async record(
    taskId: string,
    requestId: string,
    update: Pick<
      ConstructorParameters<typeof UpdateCommand>[0],
      "UpdateExpression" | "ConditionExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    >,
  ): Promise<RecordOutcome> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.Approvals,
          Key: { task_id: taskId, request_id: requestId },
          ...update,
        }),
      );
      return "recorded";
    } catch (error) {
      if (!isConditionFailed(error)) throw error;
      const current = await this.getApproval(taskId, requestId);
      return current ? "already_recorded" : "approval_missing";
    }
  }
}

/** A request item as its record and the channel states kept beside it. */
function splitItem(item: Record<string, unknown>): DeliveredApproval {
  const states: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item))
    if (name.startsWith(STATE_PREFIX)) states[name.slice(STATE_PREFIX.length)] = value;
  const legacySlack = item[LEGACY_SLACK_ATTRIBUTE];
  if (legacySlack !== undefined && states.slack === undefined) states.slack = legacySlack;
  return { approval: readItem(APPROVAL_ITEM, item), states };
}
