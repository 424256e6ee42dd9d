import { createHmac, timingSafeEqual } from "node:crypto";

/** The headers of a signed webhook delivery. */
export const WEBHOOK_HEADERS = {
  /** `v1=<hex HMAC-SHA256 of "<timestamp>.<body>">` under the endpoint's secret. */
  signature: "x-gates-signature",
  /** When the delivery was signed, epoch seconds. */
  timestamp: "x-gates-timestamp",
  /** The delivery's id, the same on every retry of it: `<task_id>:<seq>`. */
  delivery: "x-gates-delivery",
  /** The ledger event type delivered, e.g. `approval.decided`. */
  event: "x-gates-event",
} as const;

/** How far a delivery's timestamp may be from the receiver's clock, either way, before it is a replay. */
export const WEBHOOK_TOLERANCE_S = 5 * 60;

/** The text signed: the timestamp, a dot, and the body exactly as sent. */
function signedText(timestamp: string, body: string): string {
  return `${timestamp}.${body}`;
}

/** The `X-Gates-Signature` value for a body sent at `timestamp` (epoch seconds as text). */
export function signWebhook(secret: string, timestamp: string, body: string): string {
  return `v1=${createHmac("sha256", secret).update(signedText(timestamp, body), "utf8").digest("hex")}`;
}

/** What a receiver got. */
export interface WebhookDelivery {
  readonly signature: string | undefined;
  readonly timestamp: string | undefined;
  /** The body exactly as received: re-encoding a parsed body would change the bytes signed. */
  readonly body: string;
}

/** Why a delivery was refused. */
export type WebhookRefusal = "missing_headers" | "bad_timestamp" | "stale" | "mismatch";

/**
 * Checks a delivery the way a receiver should: the signature is HMAC-SHA256 of `<timestamp>.<body>`,
 * compared in constant time, and the timestamp is within {@link WEBHOOK_TOLERANCE_S} of `now`, so a
 * captured delivery cannot be replayed later. Within that window a receiver drops repeats by
 * `X-Gates-Delivery`, which is what makes a retried delivery count once.
 */
export function verifyWebhook(
  secret: string,
  delivery: WebhookDelivery,
  now: Date,
): { readonly ok: true } | { readonly ok: false; readonly reason: WebhookRefusal } {
  const { signature, timestamp, body } = delivery;
  if (!signature || !timestamp) return { ok: false, reason: "missing_headers" };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: "bad_timestamp" };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_S)
    return { ok: false, reason: "stale" };
  const expected = Buffer.from(signWebhook(secret, timestamp, body), "utf8");
  const given = Buffer.from(signature.trim(), "utf8");
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  return same ? { ok: true } : { ok: false, reason: "mismatch" };
}
