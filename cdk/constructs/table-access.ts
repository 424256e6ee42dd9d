import { PENDING_EXPIRY_INDEX, SLACK_USER_INDEX, type TableName } from "../../lambdas/adapters/dynamo/tables";
import type { HandlerGroup } from "../../lambdas/routes";

/** The DynamoDB actions a function may call. Transaction items are authorised by their item action. */
export type TableAction =
  | "dynamodb:GetItem"
  | "dynamodb:Query"
  | "dynamodb:PutItem"
  | "dynamodb:DeleteItem"
  | "dynamodb:UpdateItem";

/** The tables, and actions on each, that one function needs. */
export type TableAccess = Partial<Readonly<Record<TableName, readonly TableAction[]>>>;

/** The functions that touch tables: one per route group, plus the reconciler. */
export type AccessSubject = HandlerGroup | "reconciler";

const GET = "dynamodb:GetItem";
const QUERY = "dynamodb:Query";
const PUT = "dynamodb:PutItem";
const DELETE = "dynamodb:DeleteItem";
const UPDATE = "dynamodb:UpdateItem";

/**
 * Exactly what each function does to each table, read from the stores: a task change is one
 * transaction of item Puts (task, event, new approvals, inbox rows), Updates (ended approvals)
 * and inbox Deletes; reads are strong
 * GetItems and Queries; the rate limiter is one UpdateItem. Nothing scans, and nothing else writes.
 */
export const TABLE_ACCESS: Readonly<Record<AccessSubject, TableAccess>> = {
  // Health answers from memory.
  public: {},
  // Create, evaluate and finish: the task transaction, the inbox rows of a new request, the pinned
  // policy layers, the settings a new task registers under, and the locks every evaluation checks.
  agent: {
    Tasks: [GET, PUT],
    Events: [PUT],
    Approvals: [GET, PUT, UPDATE],
    Inbox: [PUT, DELETE],
    PolicySets: [GET, QUERY],
    RepoSettings: [QUERY],
    Locks: [QUERY],
  },
  // The approval long-poll. Reading an overdue request times it out on the spot, in the same
  // transaction the reconciler writes.
  wait: {
    Tasks: [GET, PUT],
    Approvals: [GET, UPDATE],
    Events: [PUT],
    Inbox: [DELETE],
  },
  // Reads that agents and humans share: the task and its ledger.
  shared: {
    Tasks: [GET],
    Events: [QUERY],
  },
  // Decide (a vote re-puts the request's inbox rows; a `rule:` scope is checked against the rules
  // recorded on the request), cancel, revoke and the inbox, with per-human rate limits; no approval
  // while a lock holds; link (a transaction that deletes the one-time code and puts the link) and
  // unlink (by the user index) a Slack account. Governance: publish and read settings; place, list
  // and lift locks with their ledger, cancelling the PENDING requests a lock stops (found through
  // the pending-expiry index); per-admin publish rate limits.
  human: {
    Tasks: [GET, PUT],
    Events: [PUT],
    Approvals: [GET, UPDATE],
    Inbox: [QUERY, PUT, DELETE],
    RateLimits: [UPDATE],
    SlackLinks: [GET, PUT, DELETE, QUERY],
    RepoSettings: [QUERY, PUT],
    Locks: [GET, QUERY, PUT, DELETE],
    LockEvents: [PUT, QUERY],
  },
  // Slack's webhooks: the same decisions and inbox as humans, reading links and writing link codes.
  slack: {
    Tasks: [GET, PUT],
    Events: [PUT],
    Approvals: [GET, UPDATE],
    Inbox: [QUERY, PUT, DELETE],
    RateLimits: [UPDATE],
    SlackLinks: [GET, PUT],
    Locks: [QUERY],
  },
  // Publish, read and dry-run policy layers, with a per-admin publish rate limit; a dry run is judged
  // under the repo's settings and the locks in force.
  policies: {
    PolicySets: [GET, QUERY, PUT],
    RateLimits: [UPDATE],
    RepoSettings: [QUERY],
    Locks: [QUERY],
  },
  // Finds overdue requests through the pending-expiry index and times each out in one transaction;
  // records and removes expired locks.
  reconciler: {
    Tasks: [GET, PUT],
    Events: [PUT],
    Approvals: [GET, UPDATE, QUERY],
    Inbox: [DELETE],
    Locks: [GET, QUERY, PUT, DELETE],
    LockEvents: [PUT],
  },
};

/** The secondary indexes a function queries; an index is a separate IAM resource from its table. */
export const INDEX_QUERIES: Readonly<
  Partial<Record<AccessSubject, Partial<Record<TableName, readonly string[]>>>>
> = {
  reconciler: { Approvals: [PENDING_EXPIRY_INDEX] },
  human: { Approvals: [PENDING_EXPIRY_INDEX], SlackLinks: [SLACK_USER_INDEX] },
};
