import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { LedgerEvent } from "../../core/ledger";
import type { CommitResult, InboxPage, TaskChange, TaskStore } from "../../core/ports";
import type { ApprovalRecord, InboxRow, TaskRecord } from "../../core/records";
import { callDynamo, isLostRace, readItem } from "./dynamo-errors";
import { APPROVAL_ITEM, INBOX_ITEM, PENDING_ITEM, REQUEST_KEY_ITEM, TASK_ITEM } from "./item-schemas";
import { LEDGER_EVENT_ITEM } from "./ledger-event-schemas";
import { PENDING_EXPIRY_INDEX, type TableNames, TTL_ATTRIBUTE } from "./tables";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** DynamoDB's limit on the items of one TransactWriteItems. */
export const TRANSACT_MAX_ITEMS = 100;

/** Spreads PENDING requests over this many GSI partitions so the reconciler's reads never run hot. */
export const EXPIRY_BUCKETS = 8;
/** Decided requests stay readable this long, then TTL removes them. */
const DECIDED_RETENTION_S = 30 * 24 * 3600;
/** Inbox rows are deleted at decision; TTL only backstops a row the reconciler has not reached. */
const INBOX_TTL_GRACE_S = 24 * 3600;

export function expiryBucket(requestId: string): string {
  return `P${(requestId.charCodeAt(requestId.length - 1) || 0) % EXPIRY_BUCKETS}`;
}

/** An inbox sort key orders an approver's rows by deadline. */
export function inboxSortKey(row: Pick<InboxRow, "expires_at" | "task_id" | "request_id">): string {
  return `${row.expires_at}#${row.task_id}#${row.request_id}`;
}

const epochS = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** The task data plane on DynamoDB: every change is one TransactWriteItems. */
export class DynamoTaskStore implements TaskStore {
  readonly maxItemsPerChange = TRANSACT_MAX_ITEMS;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async getTask(taskId: string): Promise<TaskRecord | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new GetCommand({ TableName: this.tables.Tasks, Key: { task_id: taskId }, ConsistentRead: true }),
      ),
    );
    return out.Item ? readItem(TASK_ITEM, out.Item) : undefined;
  }

  async getApproval(taskId: string, requestId: string): Promise<ApprovalRecord | undefined> {
    const out = await callDynamo(() =>
      this.doc.send(
        new GetCommand({
          TableName: this.tables.Approvals,
          Key: { task_id: taskId, request_id: requestId },
          ConsistentRead: true,
        }),
      ),
    );
    return out.Item ? readItem(APPROVAL_ITEM, out.Item) : undefined;
  }

  async commit(change: TaskChange): Promise<CommitResult> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.Tasks,
          Item: change.task,
          ...(change.expectedVersion === undefined
            ? { ConditionExpression: "attribute_not_exists(task_id)" }
            : {
                ConditionExpression: "#version = :read_version",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":read_version": change.expectedVersion },
              }),
        },
      },
      {
        Put: {
          TableName: this.tables.Events,
          Item: change.event,
          ConditionExpression: "attribute_not_exists(task_id)",
        },
      },
    ];
    for (const a of change.createApprovals ?? []) {
      items.push({
        Put: {
          TableName: this.tables.Approvals,
          Item: { ...a, expiry_bucket: expiryBucket(a.request_id) },
          ConditionExpression: "attribute_not_exists(request_id)",
        },
      });
    }
    for (const a of change.endApprovals ?? []) items.push(this.endApprovalItem(a));
    for (const a of change.voteApprovals ?? []) items.push(this.voteItem(a));
    for (const row of change.putInbox ?? []) {
      items.push({
        Put: {
          TableName: this.tables.Inbox,
          Item: {
            ...row,
            sk: inboxSortKey(row),
            [TTL_ATTRIBUTE]: epochS(row.expires_at) + INBOX_TTL_GRACE_S,
          },
        },
      });
    }
    for (const row of change.deleteInbox ?? []) {
      items.push({
        Delete: {
          TableName: this.tables.Inbox,
          Key: { approver_id: row.approver_id, sk: inboxSortKey(row) },
        },
      });
    }

    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
      return "committed";
    } catch (error) {
      if (isLostRace(error)) return "conflict";
      return callDynamo(() => Promise.reject(error));
    }
  }

  /**
   * Ends a request by updating only its decision fields, so attributes other writers keep on
   * the item (the Slack message reference) survive; removing expiry_bucket drops it from the
   * sparse pending-expiry index.
   */
  private endApprovalItem(a: ApprovalRecord): TransactItem {
    const decided: Record<string, unknown> = {
      status: a.status,
      decided_at: a.decided_at,
      via: a.via,
      decided_by: a.decided_by,
      scope: a.scope,
      deny_reason: a.deny_reason,
      votes: a.votes,
      [TTL_ATTRIBUTE]: epochS(a.decided_at ?? a.expires_at) + DECIDED_RETENTION_S,
    };
    const names: Record<string, string> = { "#status": "status", "#bucket": "expiry_bucket" };
    const values: Record<string, unknown> = { ":pending": "PENDING" };
    const sets: string[] = [];
    for (const [key, value] of Object.entries(decided)) {
      if (value === undefined) continue;
      names[`#a_${key}`] = key;
      values[`:a_${key}`] = value;
      sets.push(`#a_${key} = :a_${key}`);
    }
    return {
      Update: {
        TableName: this.tables.Approvals,
        Key: { task_id: a.task_id, request_id: a.request_id },
        UpdateExpression: `SET ${sets.join(", ")} REMOVE #bucket`,
        ConditionExpression: "#status = :pending",
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    };
  }

  /** Records one more vote on a request that stays PENDING; only the votes change. */
  private voteItem(a: ApprovalRecord): TransactItem {
    return {
      Update: {
        TableName: this.tables.Approvals,
        Key: { task_id: a.task_id, request_id: a.request_id },
        UpdateExpression: "SET #votes = :votes",
        ConditionExpression: "#status = :pending",
        ExpressionAttributeNames: { "#votes": "votes", "#status": "status" },
        ExpressionAttributeValues: { ":votes": a.votes ?? [], ":pending": "PENDING" },
      },
    };
  }

  async listEvents(
    taskId: string,
    afterSeq: number,
    limit: number,
  ): Promise<{ items: LedgerEvent[]; more: boolean }> {
    const out = await callDynamo(() =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.Events,
          KeyConditionExpression: "task_id = :t AND seq > :after",
          ExpressionAttributeValues: { ":t": taskId, ":after": afterSeq },
          ConsistentRead: true,
          Limit: limit,
        }),
      ),
    );
    const items = (out.Items ?? []).map((item) => readItem(LEDGER_EVENT_ITEM, item));
    return { items, more: out.LastEvaluatedKey !== undefined };
  }

  async listInbox(
    approverIds: readonly string[],
    notBefore: string,
    options: { limit: number; after?: string; repo?: string },
  ): Promise<InboxPage> {
    // "~" sorts after every task id character, so a deadline equal to now is excluded.
    const lowest = `${notBefore}#~`;
    // DynamoDB refuses a start key outside the key condition; a position now past is where the
    // still open rows begin, so the queries simply start there.
    const after = options.after !== undefined && options.after > lowest ? options.after : lowest;
    // Every inbox shares one sort order (deadline, task, request), so one position pages them all.
    const pages = await Promise.all(
      approverIds.map((approverId) =>
        callDynamo(() =>
          this.doc.send(
            new QueryCommand({
              TableName: this.tables.Inbox,
              KeyConditionExpression: "approver_id = :a AND sk > :after",
              ExpressionAttributeValues: {
                ":a": approverId,
                ":after": after,
                ...(options.repo ? { ":repo": options.repo } : {}),
              },
              ...(options.repo ? { FilterExpression: "repo = :repo" } : {}),
              Limit: options.limit,
            }),
          ),
        ),
      ),
    );
    // Rows are safe to return only up to the first cut-off of an inbox that has more.
    let cutoff: string | undefined;
    for (const page of pages) {
      const sk = page.LastEvaluatedKey?.sk;
      if (typeof sk === "string" && (cutoff === undefined || sk < cutoff)) cutoff = sk;
    }
    const seen = new Set<string>();
    const rows = pages
      .flatMap((page) => page.Items ?? [])
      .filter((i) => cutoff === undefined || String(i.sk) <= cutoff)
      .sort((a, b) => (String(a.sk) < String(b.sk) ? -1 : String(a.sk) > String(b.sk) ? 1 : 0))
      .filter((i) => {
        const id = `${String(i.task_id)}#${String(i.request_id)}`;
        if (seen.has(id)) return false;
        seen.add(id);
        return true;
      });
    const page = rows.slice(0, options.limit);
    const owner = approverIds[0] ?? "";
    // Each row is read from one inbox; the caller sees it as its own.
    const items = page.map((i) => ({ ...readItem(INBOX_ITEM, i), approver_id: owner }));
    const more = rows.length > options.limit || cutoff !== undefined;
    const last = page.at(-1)?.sk ?? (rows.length === 0 ? cutoff : undefined);
    return more && typeof last === "string" ? { items, after: last } : { items };
  }

  async listExpiredPending(
    now: string,
    limit: number,
  ): Promise<Pick<ApprovalRecord, "task_id" | "request_id">[]> {
    const due: Pick<ApprovalRecord, "task_id" | "request_id">[] = [];
    for (let b = 0; b < EXPIRY_BUCKETS && due.length < limit; b++) {
      const out = await callDynamo(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.Approvals,
            IndexName: PENDING_EXPIRY_INDEX,
            KeyConditionExpression: "expiry_bucket = :b AND expires_at <= :now",
            ExpressionAttributeValues: { ":b": `P${b}`, ":now": now },
            ProjectionExpression: "task_id, request_id",
            Limit: limit - due.length,
          }),
        ),
      );
      for (const i of out.Items ?? []) due.push(readItem(REQUEST_KEY_ITEM, i));
    }
    return due;
  }

  async listLivePending(
    now: string,
    limit: number,
  ): Promise<Pick<ApprovalRecord, "task_id" | "request_id" | "repo">[]> {
    const live: Pick<ApprovalRecord, "task_id" | "request_id" | "repo">[] = [];
    for (let b = 0; b < EXPIRY_BUCKETS && live.length < limit; b++) {
      let start: Record<string, unknown> | undefined;
      do {
        const out = await callDynamo(() =>
          this.doc.send(
            new QueryCommand({
              TableName: this.tables.Approvals,
              IndexName: PENDING_EXPIRY_INDEX,
              KeyConditionExpression: "expiry_bucket = :b AND expires_at > :now",
              ExpressionAttributeValues: { ":b": `P${b}`, ":now": now },
              ProjectionExpression: "task_id, request_id, repo",
              Limit: limit - live.length,
              ...(start ? { ExclusiveStartKey: start } : {}),
            }),
          ),
        );
        for (const i of out.Items ?? []) live.push(readItem(PENDING_ITEM, i));
        start = out.LastEvaluatedKey;
      } while (start && live.length < limit);
    }
    return live;
  }
}
