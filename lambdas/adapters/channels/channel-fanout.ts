import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { UnreadableItemError } from "../dynamo/dynamo-errors";
import { partialBatchResponse, readLedgerRecords } from "../stream/stream-consumer";
import {
  ChannelFailure,
  type ChannelLogger,
  type ChannelNotice,
  type ChannelRouting,
  type DeliveryResult,
  type DeliveryStore,
  isNotifiedEvent,
  type NotificationChannel,
} from "./channel";
import type { DeliveryMetrics } from "./delivery-metrics";

/** What the fan-out talks to. */
export interface ChannelFanoutDeps {
  readonly store: DeliveryStore;
  /** Every channel of the deployment; a repo's settings may narrow them. */
  readonly channels: readonly NotificationChannel[];
  /** @default every channel serves every repo */
  readonly routing?: ChannelRouting;
  /** Counts `ChannelDeliveries{channel,result}`. @default not counted */
  readonly metrics?: DeliveryMetrics;
  /** @default silent */
  readonly logger?: ChannelLogger;
}

/**
 * A channel that fails this often in one batch is taken as down for the rest of it: its remaining
 * records fail at once instead of each waiting out a timeout.
 */
const MAX_FAILURES_PER_BATCH = 2;

/**
 * The one Events-stream consumer that tells humans: each request event (requested, voted, decided)
 * goes to every channel configured for the task's repo.
 *
 * Channels are independent lanes over the batch. Each lane takes the records in stream order, one at
 * a time, so a request is posted before its decision updates it; the lanes run side by side, so a
 * slow or failing channel never holds back another. After a retryable failure a lane fails the
 * request's later records without calling its channel, so no channel sees an update overtake the
 * event it failed on; after {@link MAX_FAILURES_PER_BATCH} failures it fails the rest of the batch,
 * so an outage costs a couple of call timeouts per batch, not one per record.
 *
 * A record fails (partial batch response) when any lane failed it or its image is not a ledger
 * event; the stream then delivers it again, and every channel that had already delivered it skips
 * it by the state it recorded on the request. After the mapping's bounded retries the record goes
 * to the dead-letter queue. Delivery counts are published once per batch.
 */
export function channelFanout(
  deps: ChannelFanoutDeps,
): (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse> {
  const { store, channels, routing, metrics, logger } = deps;

  return async (batch) => {
    const entries = readLedgerRecords(batch);
    const failed = new Set<number>();
    entries.forEach((entry, i) => {
      if (entry.unreadable !== undefined) {
        logger?.error("stream record is not a ledger event", {
          sequence: entry.sequence,
          error: describe(entry.unreadable),
        });
        failed.add(i);
      }
    });
    // One settings read per repo and batch, shared by the lanes.
    const routes = new Map<string, Promise<readonly string[] | undefined>>();
    const channelsOf = (repo: string) => {
      if (!routing) return Promise.resolve(undefined);
      let route = routes.get(repo);
      if (route === undefined) {
        route = routing.channelsOf(repo);
        routes.set(repo, route);
      }
      return route;
    };

    const lane = async (channel: NotificationChannel): Promise<void> => {
      const count = (result: DeliveryResult) => metrics?.count(channel.kind, result);
      // Requests this lane failed on: their later events wait for the retry, so none overtakes it.
      const blocked = new Set<string>();
      let failures = 0;
      for (const [i, entry] of entries.entries()) {
        const type = entry.event?.type;
        if (entry.event === undefined || type === undefined || !isNotifiedEvent(type)) continue;
        const event = { ...entry.event, type };
        const request = `${event.task_id}|${String(event.data.request_id)}`;
        if (failures >= MAX_FAILURES_PER_BATCH || blocked.has(request)) {
          failed.add(i);
          continue;
        }
        const where = { channel: channel.name, task_id: event.task_id, seq: event.seq, type: event.type };
        try {
          const result = await deliverOne(channel, event, where);
          if (result !== undefined) count(result);
        } catch (error) {
          if (error instanceof ChannelFailure && error.kind === "terminal") {
            logger?.error("the channel refused the delivery; not retrying", {
              ...where,
              reason: error.reason,
            });
            count("terminal_error");
            continue;
          }
          logger?.warn("delivery failed; the record will be retried", { ...where, reason: reasonOf(error) });
          // A channel's own failure is counted; one of ours (DynamoDB, a bug) shows as the record's failure.
          if (error instanceof ChannelFailure) count("retryable_error");
          failed.add(i);
          blocked.add(request);
          failures += 1;
        }
      }
    };

    const deliverOne = async (
      channel: NotificationChannel,
      event: ChannelNotice["event"],
      where: Record<string, unknown>,
    ): Promise<DeliveryResult | undefined> => {
      const requestId = event.data.request_id;
      if (typeof requestId !== "string") {
        logger?.error("ledger event without a request_id; nothing to deliver", where);
        return "skipped_missing";
      }
      const found = await store.getApproval(event.task_id, requestId);
      if (found === undefined) {
        // Decided requests are removed by TTL after a month; a replay that late has nothing to show.
        logger?.warn("approval not found; nothing to deliver", { ...where, request_id: requestId });
        return "skipped_missing";
      }
      const names = await channelsOf(found.approval.repo);
      if (names !== undefined && !names.includes(channel.name)) return undefined;
      return channel.deliver({
        event,
        approval: found.approval,
        state: found.states[channel.name],
      });
    };

    try {
      await Promise.all(channels.map(lane));
    } finally {
      metrics?.flush();
    }
    return partialBatchResponse(entries.filter((_, i) => failed.has(i)));
  };
}

function reasonOf(error: unknown): string {
  if (error instanceof ChannelFailure) return error.reason;
  // An unreadable item names its table, key and fields, never their values: enough to find it.
  if (error instanceof Error && error.cause instanceof UnreadableItemError)
    return `${error.name}: ${error.cause.message}`;
  return error instanceof Error ? error.name : "unknown";
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
