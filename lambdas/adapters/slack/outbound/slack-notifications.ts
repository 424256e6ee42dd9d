import { BatchProcessor, EventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import type { LedgerEvent } from "../../../core/ledger";
import type { SlackApproval, SlackMessageRef, SlackMessageStore } from "../../dynamo/slack-message-store";
import { ledgerEventOf } from "../../stream/stream-consumer";
import { renderApprovalMessage } from "./approval-message";
import type { DeliveryMetrics, DeliveryResult } from "./delivery-metrics";
import type { SlackChannel } from "./slack-channel";
import { classifySlackError, type SlackFailure, SlackRetryableError } from "./slack-errors";

/** The logging the fan-out needs; Powertools' Logger fits. */
export interface SlackFanoutLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}

/** What the fan-out talks to. */
export interface SlackFanoutDeps {
  readonly store: SlackMessageStore;
  readonly slack: SlackChannel;
  /** Counts `SlackDeliveries{result}`. @default not counted */
  readonly metrics?: DeliveryMetrics;
  /** @default silent */
  readonly logger?: SlackFanoutLogger;
}

/** A Slack error that no retry can fix; the record succeeds once it is logged and counted. */
class SlackTerminalError extends Error {
  constructor(readonly failure: SlackFailure) {
    super(`Slack refused the call: ${failure.reason}`);
  }
}

/** Runs one Slack call, turning its failure into a terminal or a retryable error. */
async function callSlack<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    const failure = classifySlackError(error);
    if (failure.kind === "terminal") throw new SlackTerminalError(failure);
    throw new SlackRetryableError(failure, { cause: error });
  }
}

/**
 * Delivers one ledger event to Slack: a request is posted once, each vote and the decision update that
 * message in place. The stream may deliver an event again at any time (a failed record, the records after it, a
 * replay from the dead-letter queue), so every step checks what is already done:
 *
 * - a request whose approval already holds a message reference is skipped;
 * - otherwise the channel's recent messages are searched for one carrying the request's metadata, which
 *   finds a message posted by an attempt that failed before it could record it;
 * - the message is always rendered from the approval as stored now, so a request decided before it was
 *   posted is posted in its final, button-less state, and a decision with no message yet posts one.
 *
 * Terminal Slack errors are logged and counted and the event is done; retryable ones throw.
 */
export function slackEventDelivery(deps: SlackFanoutDeps): (event: LedgerEvent) => Promise<void> {
  const { store, slack, metrics, logger } = deps;

  const sync = async (approval: SlackApproval, requested: boolean): Promise<DeliveryResult> => {
    const { task_id, request_id } = approval;
    let ref: SlackMessageRef | undefined = approval.slack;
    let foundEarlierPost = false;
    if (ref === undefined) {
      ref = await callSlack(() => slack.findRequestMessage(task_id, request_id));
      if (ref !== undefined) {
        foundEarlierPost = true;
        await store.recordMessage(task_id, request_id, ref);
      }
    }
    const people = [
      ...new Set([
        ...approval.approvers,
        ...(approval.votes ?? []).map((v) => v.by),
        ...(approval.decided_by ? [approval.decided_by] : []),
      ]),
    ];
    const message = renderApprovalMessage(approval, await store.slackUsersOf(people));
    if (ref === undefined) {
      const posted = await callSlack(() => slack.post(message));
      const outcome = await store.recordMessage(task_id, request_id, posted);
      if (outcome !== "recorded")
        logger?.warn("slack message posted but not recorded", { task_id, request_id, outcome });
      return "posted";
    }
    // An earlier attempt posted this request while it was pending, which is what it still shows.
    if (requested && foundEarlierPost && approval.status === "PENDING") return "skipped_duplicate";
    const existing = ref;
    await callSlack(() => slack.update(existing, message));
    return "updated";
  };

  return async (event) => {
    // A vote on a request that needs several approvals updates the message in place, like a decision.
    if (
      event.type !== "approval.requested" &&
      event.type !== "approval.voted" &&
      event.type !== "approval.decided"
    )
      return;
    const requestId = event.data.request_id;
    const where = { task_id: event.task_id, seq: event.seq, type: event.type, request_id: requestId };
    if (typeof requestId !== "string") {
      logger?.error("ledger event without a request_id; nothing to deliver", where);
      metrics?.count("skipped_missing");
      return;
    }
    const approval = await store.getApproval(event.task_id, requestId);
    if (approval === undefined) {
      // Decided requests are removed by TTL after a month; a replay that late has nothing to show.
      logger?.warn("approval not found; nothing to deliver", where);
      metrics?.count("skipped_missing");
      return;
    }
    const requested = event.type === "approval.requested";
    if (requested && approval.slack !== undefined) {
      metrics?.count("skipped_duplicate");
      return;
    }
    try {
      // Evaluated apart: `metrics?.count(await …)` would skip the delivery itself when metrics are off.
      const result = await sync(approval, requested);
      metrics?.count(result);
    } catch (error) {
      if (error instanceof SlackTerminalError) {
        logger?.error("Slack refused the message; not retrying", { ...where, reason: error.failure.reason });
        metrics?.count("terminal_error");
        return;
      }
      if (error instanceof SlackRetryableError) {
        logger?.warn("Slack call failed; the record will be retried", { ...where, ...error.failure });
        metrics?.count("retryable_error");
      }
      throw error;
    }
  };
}

/**
 * The Slack fan-out as an Events-stream consumer: records are delivered one at a time, in stream order,
 * and a record that fails (a retryable Slack error, a DynamoDB error, an image that is not a ledger
 * event) is reported alone in the partial batch response. Delivery counts are published once per batch.
 */
export function slackFanoutConsumer(
  deps: SlackFanoutDeps,
): (event: DynamoDBStreamEvent, context?: Context) => Promise<DynamoDBBatchResponse> {
  const deliver = slackEventDelivery(deps);
  const processor = new BatchProcessor(EventType.DynamoDBStreams);
  const handleRecord = async (record: DynamoDBRecord): Promise<void> => {
    const ledgerEvent = ledgerEventOf(record);
    if (ledgerEvent !== undefined) await deliver(ledgerEvent);
  };
  return async (event, context) => {
    try {
      return await processPartialResponse(event, handleRecord, processor, {
        throwOnFullBatchFailure: false,
        // A request's post must come before its decision's update.
        processInParallel: false,
        ...(context ? { context } : {}),
      });
    } finally {
      deps.metrics?.flush();
    }
  };
}
