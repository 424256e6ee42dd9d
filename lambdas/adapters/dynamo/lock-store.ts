import {
  type DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import type { LockRecord } from "../../core/governance/locks";
import { GENESIS_HASH, type LedgerEvent, type LockEventType } from "../../core/ledger";
import type { CommitResult, LedgerHead, LockChange, LockStore } from "../../core/ports";
import { callDynamo, isLostRace, readItem } from "./dynamo-errors";
import { LOCK_HEAD_ITEM, LOCK_ITEM } from "./item-schemas";
import { LOCK_EVENT_ITEM } from "./ledger-event-schemas";
import type { TableNames } from "./tables";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** The partition of the locks in force, and the key of the lock ledger's head. */
const ACTIVE = "active";
const HEAD = { pk: "ledger", sk: "head" } as const;
/** The `ledger` key of the lock ledger's events in LockEvents. */
const LEDGER = "locks";

/** Locks and their audit ledger on DynamoDB: each change is one transaction of head, event and lock. */
export class DynamoLockStore implements LockStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: Pick<TableNames, "Locks" | "LockEvents">,
  ) {}

  async listLocks(): Promise<LockRecord[]> {
    const locks: LockRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await callDynamo(() =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tables.Locks,
            KeyConditionExpression: "pk = :p",
            ExpressionAttributeValues: { ":p": ACTIVE },
            ConsistentRead: true,
            ...(start ? { ExclusiveStartKey: start } : {}),
          }),
        ),
      );
      for (const item of out.Items ?? []) locks.push(readItem(LOCK_ITEM, item));
      start = out.LastEvaluatedKey;
    } while (start);
    // Lock ids are ULIDs, so key order is placing order: oldest first.
    return locks;
  }

  async head(): Promise<LedgerHead> {
    const out = await callDynamo(() =>
      this.doc.send(new GetCommand({ TableName: this.tables.Locks, Key: HEAD, ConsistentRead: true })),
    );
    return out.Item ? readItem(LOCK_HEAD_ITEM, out.Item) : { version: 0, last_event_hash: GENESIS_HASH };
  }

  async commit(change: LockChange): Promise<CommitResult> {
    const items: TransactItem[] = [
      {
        Put: {
          TableName: this.tables.Locks,
          Item: { ...HEAD, version: change.event.seq, last_event_hash: change.event.hash },
          ...(change.expected.version === 0
            ? { ConditionExpression: "attribute_not_exists(pk)" }
            : {
                ConditionExpression: "#version = :read_version",
                ExpressionAttributeNames: { "#version": "version" },
                ExpressionAttributeValues: { ":read_version": change.expected.version },
              }),
        },
      },
      {
        Put: {
          TableName: this.tables.LockEvents,
          Item: { ledger: LEDGER, ...change.event },
          ConditionExpression: "attribute_not_exists(seq)",
        },
      },
    ];
    if (change.putLock) {
      items.push({
        Put: {
          TableName: this.tables.Locks,
          Item: { pk: ACTIVE, sk: change.putLock.lock_id, ...change.putLock },
          ConditionExpression: "attribute_not_exists(pk)",
        },
      });
    }
    if (change.deleteLockId) {
      items.push({
        Delete: {
          TableName: this.tables.Locks,
          Key: { pk: ACTIVE, sk: change.deleteLockId },
          ConditionExpression: "attribute_exists(pk)",
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

  async listEvents(
    afterSeq: number,
    limit: number,
  ): Promise<{ items: LedgerEvent<LockEventType>[]; more: boolean }> {
    const out = await callDynamo(() =>
      this.doc.send(
        new QueryCommand({
          TableName: this.tables.LockEvents,
          KeyConditionExpression: "#ledger = :l AND seq > :after",
          ExpressionAttributeNames: { "#ledger": "ledger" },
          ExpressionAttributeValues: { ":l": LEDGER, ":after": afterSeq },
          ConsistentRead: true,
          Limit: limit,
        }),
      ),
    );
    const items = (out.Items ?? []).map((item) => readItem(LOCK_EVENT_ITEM, item));
    return { items, more: out.LastEvaluatedKey !== undefined };
  }
}
