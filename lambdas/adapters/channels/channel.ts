import type { LedgerEvent } from "../../core/ledger";
import type { ApprovalRecord } from "../../core/records";

/** The kinds of channel there are; the `channel` dimension of `ChannelDeliveries`, so a closed set. */
export const CHANNEL_KINDS = ["slack", "webhook"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** What happened to one event on one channel; a closed set so dashboards can name every series. */
export const DELIVERY_RESULTS = [
  "posted",
  "updated",
  "sent",
  "skipped_duplicate",
  "skipped_missing",
  "terminal_error",
  "retryable_error",
] as const;
export type DeliveryResult = (typeof DELIVERY_RESULTS)[number];

/** The ledger events the fan-out delivers: a request, each vote on it, and its decision. */
export const NOTIFIED_EVENT_TYPES = ["approval.requested", "approval.voted", "approval.decided"] as const;
export type NotifiedEventType = (typeof NOTIFIED_EVENT_TYPES)[number];

/** Whether the fan-out delivers an event of this type. */
export function isNotifiedEvent(type: string): type is NotifiedEventType {
  return (NOTIFIED_EVENT_TYPES as readonly string[]).includes(type);
}

/** One event to deliver on one channel, with the request as stored now and what the channel recorded of it. */
export interface ChannelNotice {
  readonly event: LedgerEvent & { readonly type: NotifiedEventType };
  readonly approval: ApprovalRecord;
  /** What this channel recorded on the request by an earlier delivery (its own shape), if anything. */
  readonly state: unknown;
}

/**
 * A way of telling humans about approval requests. The fan-out hands each channel every request
 * event of the repos it serves, one at a time and in order; the channel makes the delivery
 * idempotent with the state it records on the request, so an event delivered again never shows twice.
 */
export interface NotificationChannel {
  /**
   * The channel's name: the key of its state on a request and what a repo's `notify_channels`
   * lists, e.g. `slack` or `webhook:ops`.
   */
  readonly name: string;
  readonly kind: ChannelKind;
  /**
   * Delivers one event.
   *
   * @throws ChannelFailure when the outside service failed; `retryable` ones fail the record
   */
  deliver(notice: ChannelNotice): Promise<DeliveryResult>;
}

/** Whether a failed delivery is worth repeating: `retryable` fails the stream record, `terminal` does not. */
export type FailureKind = "retryable" | "terminal";

/** A channel's outside service failed; `reason` is short and safe to log and count (no secrets, no bodies). */
export class ChannelFailure extends Error {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`channel call failed (${kind}): ${reason}`, options);
    this.name = "ChannelFailure";
  }
}

/** What recording a channel's state on a request did. */
export type RecordOutcome = "recorded" | "already_recorded" | "approval_missing";

/** A request as the fan-out reads it: the record, and each channel's state on it by channel name. */
export interface DeliveredApproval {
  readonly approval: ApprovalRecord;
  readonly states: Readonly<Record<string, unknown>>;
}

/** The request reads and the conditional writes that make deliveries idempotent per (request, channel). */
export interface DeliveryStore {
  /** The request with every channel's state, read strongly so a decision just made is seen. */
  getApproval(taskId: string, requestId: string): Promise<DeliveredApproval | undefined>;
  /** Records a channel's state once; a second state never replaces the first (a posted message's reference). */
  recordOnce(taskId: string, requestId: string, channel: string, state: object): Promise<RecordOutcome>;
  /** Records that a channel delivered the event `seq`; the mark only ever moves forward. */
  recordSeq(taskId: string, requestId: string, channel: string, seq: number): Promise<RecordOutcome>;
}

/** Which channels a repo's requests go to: its settings' `notify_channels`, or every channel when unset. */
export interface ChannelRouting {
  /** The channel names configured for a repo; undefined means every channel of the deployment. */
  channelsOf(repo: string): Promise<readonly string[] | undefined>;
}

/** The logging the fan-out and its channels need; Powertools' Logger fits. */
export interface ChannelLogger {
  info(message: string, extra: Record<string, unknown>): void;
  warn(message: string, extra: Record<string, unknown>): void;
  error(message: string, extra: Record<string, unknown>): void;
}
