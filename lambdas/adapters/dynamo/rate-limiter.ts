import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { RateLimiter } from "../../core/ports";
import { callDynamo, isConditionFailed, readItem } from "./dynamo-errors";
import { COUNTER_ITEM } from "./item-schemas";
import { type TableNames, TTL_ATTRIBUTE } from "./tables";

/** Fixed-window counters: one item per key and window, counted with an atomic ADD, expired by TTL. */
export class DynamoRateLimiter implements RateLimiter {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tables: TableNames,
  ) {}

  async hit(
    key: string,
    limit: number,
    windowS: number,
    now: Date,
  ): Promise<{ allowed: boolean; retryAfterS: number }> {
    const { start, end } = windowOf(windowS, now);
    const out = await callDynamo(() =>
      this.doc.send(
        new UpdateCommand({
          TableName: this.tables.RateLimits,
          Key: { key: `${key}#${start}` },
          UpdateExpression: "ADD #count :one SET #ttl = :ttl",
          ExpressionAttributeNames: { "#count": "count", "#ttl": TTL_ATTRIBUTE },
          ExpressionAttributeValues: { ":one": 1, ":ttl": Math.ceil(end / 1000) + windowS },
          // The whole item, so a counter that cannot be read is named by its key.
          ReturnValues: "ALL_NEW",
        }),
      ),
    );
    const { count } = readItem(COUNTER_ITEM, out.Attributes ?? {});
    return { allowed: count <= limit, retryAfterS: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
  }

  async refund(key: string, windowS: number, now: Date): Promise<void> {
    const { start } = windowOf(windowS, now);
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tables.RateLimits,
          Key: { key: `${key}#${start}` },
          UpdateExpression: "ADD #count :minus_one",
          // Never below zero, and never creating a counter for a window that has none.
          ConditionExpression: "#count > :zero",
          ExpressionAttributeNames: { "#count": "count" },
          ExpressionAttributeValues: { ":minus_one": -1, ":zero": 0 },
        }),
      );
    } catch (error) {
      if (isConditionFailed(error)) return;
      await callDynamo(() => Promise.reject(error));
    }
  }
}

/** The fixed window `now` falls in, in epoch milliseconds. */
function windowOf(windowS: number, now: Date): { start: number; end: number } {
  const windowMs = windowS * 1000;
  const start = Math.floor(now.getTime() / windowMs) * windowMs;
  return { start, end: start + windowMs };
}
