import { type DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";
import type { PolicyStore } from "../../core/ports";
import type { PolicyVersionRecord } from "../../core/records";
import { callDynamo, readItem } from "./dynamo-errors";
import { POLICY_VERSION_ITEM } from "./item-schemas";
import type { TableNames } from "./tables";
import { latestVersion, putNewVersion } from "./versioned-items";

/** Published policy versions: immutable items keyed by repo and version number. */
export class DynamoPolicyStore implements PolicyStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  latest(repoId: string): Promise<PolicyVersionRecord | undefined> {
    return latestVersion(this.doc, this.tables.PolicySets, POLICY_VERSION_ITEM, {
      attribute: "repo_id",
      value: repoId,
    });
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

  put(record: PolicyVersionRecord): Promise<"created" | "exists"> {
    return putNewVersion(this.doc, this.tables.PolicySets, record);
  }
}
