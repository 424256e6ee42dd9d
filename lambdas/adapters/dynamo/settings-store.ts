import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { SettingsStore } from "../../core/ports";
import type { SettingsVersionRecord } from "../../core/records";
import { SETTINGS_VERSION_ITEM } from "./item-schemas";
import type { TableNames } from "./tables";
import { latestVersion, putNewVersion } from "./versioned-items";

/** Published settings versions: immutable items keyed by layer and version number. */
export class DynamoSettingsStore implements SettingsStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "RepoSettings">,
  ) {}

  latest(layer: string): Promise<SettingsVersionRecord | undefined> {
    return latestVersion(this.doc, this.tables.RepoSettings, SETTINGS_VERSION_ITEM, {
      attribute: "layer",
      value: layer,
    });
  }

  put(record: SettingsVersionRecord): Promise<"created" | "exists"> {
    return putNewVersion(this.doc, this.tables.RepoSettings, record);
  }
}
