/**
 * The DynamoDB tables, defined once as plain data so the CDK stack and local mode build the same
 * keys, indexes, TTL and streams. Nothing here imports the AWS SDK.
 */

/** A key attribute's DynamoDB scalar type. */
export type AttributeType = "S" | "N";

/** A key attribute: its name and scalar type. */
export interface KeyDef {
  readonly name: string;
  readonly type: AttributeType;
}

/** A global secondary index; every index projects all attributes. */
export interface IndexDef {
  readonly indexName: string;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly projection: "ALL";
}

/** Every logical table, in a stable order. */
export const TABLE_LOGICAL_NAMES = [
  "Tasks",
  "Approvals",
  "Inbox",
  "Events",
  "PolicySets",
  "SlackLinks",
  "RateLimits",
  "RepoSettings",
  "Locks",
  "LockEvents",
] as const;

/** The logical name of a table, independent of deployment. */
export type TableName = (typeof TABLE_LOGICAL_NAMES)[number];

/** One table: keys, indexes, the TTL attribute if items expire, and the stream if it has consumers. */
export interface TableDef {
  readonly logicalName: TableName;
  readonly partitionKey: KeyDef;
  readonly sortKey?: KeyDef;
  readonly globalIndexes: readonly IndexDef[];
  readonly ttlAttribute?: string;
  readonly stream?: "NEW_IMAGE";
}

/** Sparse index of PENDING approvals by expiry bucket, for the reconciler. */
export const PENDING_EXPIRY_INDEX = "pending-expiry";

/** Index of Slack links by the user they link to. */
export const SLACK_USER_INDEX = "user-index";

/** The attribute that holds an item's expiry in epoch seconds, wherever items expire. */
export const TTL_ATTRIBUTE = "ttl";

/** The tables of the control plane, by logical name. */
export const TABLES: Readonly<Record<TableName, TableDef>> = {
  Tasks: {
    logicalName: "Tasks",
    partitionKey: { name: "task_id", type: "S" },
    globalIndexes: [],
  },
  Approvals: {
    logicalName: "Approvals",
    partitionKey: { name: "task_id", type: "S" },
    sortKey: { name: "request_id", type: "S" },
    globalIndexes: [
      {
        indexName: PENDING_EXPIRY_INDEX,
        partitionKey: { name: "expiry_bucket", type: "S" },
        sortKey: { name: "expires_at", type: "S" },
        projection: "ALL",
      },
    ],
    ttlAttribute: TTL_ATTRIBUTE,
  },
  Inbox: {
    logicalName: "Inbox",
    partitionKey: { name: "approver_id", type: "S" },
    sortKey: { name: "sk", type: "S" },
    globalIndexes: [],
    ttlAttribute: TTL_ATTRIBUTE,
  },
  Events: {
    logicalName: "Events",
    partitionKey: { name: "task_id", type: "S" },
    sortKey: { name: "seq", type: "N" },
    globalIndexes: [],
    stream: "NEW_IMAGE",
  },
  PolicySets: {
    logicalName: "PolicySets",
    partitionKey: { name: "repo_id", type: "S" },
    sortKey: { name: "version", type: "N" },
    globalIndexes: [],
  },
  SlackLinks: {
    logicalName: "SlackLinks",
    partitionKey: { name: "slack_key", type: "S" },
    globalIndexes: [
      {
        indexName: SLACK_USER_INDEX,
        partitionKey: { name: "user_id", type: "S" },
        projection: "ALL",
      },
    ],
    ttlAttribute: TTL_ATTRIBUTE,
  },
  RateLimits: {
    logicalName: "RateLimits",
    partitionKey: { name: "key", type: "S" },
    globalIndexes: [],
    ttlAttribute: TTL_ATTRIBUTE,
  },
  // Immutable settings versions by layer (`*`, `owner/*`, a repo), like PolicySets.
  RepoSettings: {
    logicalName: "RepoSettings",
    partitionKey: { name: "layer", type: "S" },
    sortKey: { name: "version", type: "N" },
    globalIndexes: [],
  },
  // The locks in force (partition "active", one item per lock) and the lock ledger's head, so every
  // evaluation reads all locks with one query and every lock change is one transaction with its event.
  Locks: {
    logicalName: "Locks",
    partitionKey: { name: "pk", type: "S" },
    sortKey: { name: "sk", type: "S" },
    globalIndexes: [],
  },
  // The lock ledger: hash-chained audit events of placing, lifting and expiring locks.
  LockEvents: {
    logicalName: "LockEvents",
    partitionKey: { name: "ledger", type: "S" },
    sortKey: { name: "seq", type: "N" },
    globalIndexes: [],
  },
};

/** Physical table names by logical name, e.g. `{ Tasks: "gates-local-Tasks", … }`. */
export type TableNames = Readonly<Record<TableName, string>>;

/**
 * The physical names of every table under one prefix.
 *
 * @param prefix - joined to each logical name with a hyphen, e.g. "gates-local" gives "gates-local-Tasks"
 */
export function tableNames(prefix: string): TableNames {
  return {
    Tasks: `${prefix}-Tasks`,
    Approvals: `${prefix}-Approvals`,
    Inbox: `${prefix}-Inbox`,
    Events: `${prefix}-Events`,
    PolicySets: `${prefix}-PolicySets`,
    SlackLinks: `${prefix}-SlackLinks`,
    RateLimits: `${prefix}-RateLimits`,
    RepoSettings: `${prefix}-RepoSettings`,
    Locks: `${prefix}-Locks`,
    LockEvents: `${prefix}-LockEvents`,
  };
}
