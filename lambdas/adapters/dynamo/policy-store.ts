import { type DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import type { PolicyStore } from "../../core/ports";
import type { PolicyVersionRecord } from "../../core/records";
import { callDynamo, isConditionFailed, readItem } from "./dynamo-errors";
import { POLICY_VERSION_ITEM } from "./item-schemas";
import type { TableNames } from "./tables";

/** Published policy versions: immutable items keyed by repo and version number. */
export class DynamoPolicyStore implements PolicyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async latest(repoId: string): Promise<PolicyVersionRecord | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.PolicySets,
          KeyConditionExpression: "repo_id = :r",
          ExpressionAttributeValues: { ":r": repoId },
          ScanIndexForward: false,
          Limit: 1,
          ConsistentRead: true,
        }),
      ),
    );
    const item = out.Items?.[0];
    return item ? readItem(POLICY_VERSION_ITEM, item) : undefined;
  }

  async get(repoId: string, version: number): Promise<PolicyVersionRecord | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tables.PolicySets,
          Key: { repo_id: repoId, version },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? readItem(POLICY_VERSION_ITEM, out.Item) : undefined;
  }

  async put(record: PolicyVersionRecord): Promise<"created" | "exists"> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tables.PolicySets,
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
