import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { SettingsStore } from "../../core/ports";
import type { SettingsVersionRecord } from "../../core/records";
import { callDynamo, isConditionFailed, readItem } from "./dynamo-errors";
import { SETTINGS_VERSION_ITEM } from "./item-schemas";
import type { TableNames } from "./tables";

/** Published settings versions: immutable items keyed by layer and version number. */
export class DynamoSettingsStore implements SettingsStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "RepoSettings">,
  ) {}

  async latest(layer: string): Promise<SettingsVersionRecord | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.RepoSettings,
          KeyConditionExpression: "#layer = :l",
          ExpressionAttributeNames: { "#layer": "layer" },
          ExpressionAttributeValues: { ":l": layer },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const item = out.Items?.[0];
    return item ? readItem(SETTINGS_VERSION_ITEM, item) : undefined;
  }

  async put(record: SettingsVersionRecord): Promise<"created" | "exists"> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.RepoSettings,
          Item: record,
          ConditionExpression: "attribute_not_exists(version)",
        }),
      );
      return "created";
    } catch (error) {
      if (isConditionFailed(error)) return "exists";
      return callDynamo(() => Promise.reject(error));
    }
  }
}
