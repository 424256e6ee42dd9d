import { createHmac, timingSafeEqual } from "node:crypto";

/** How far a request's timestamp may be from now, either way, before it counts as a replay. */
export const SIGNATURE_WINDOW_S = 5 * 60;

/** What a Slack request brings to prove it came from Slack. */
export interface SignedRequest {
  /** `X-Slack-Request-Timestamp`, epoch seconds as text. */
  readonly timestamp: string | undefined;
  /** `X-Slack-Signature`, `v0=<hex>`. */
  readonly signature: string | undefined;
  /** The body exactly as received: re-encoding a parsed body would change the bytes signed. */
  readonly rawBody: string;
}

/** Why a request was refused; the value is for logs, never shown to the caller. */
export type SignatureFailure = "missing_headers" | "bad_timestamp" | "stale" | "bad_version" | "mismatch";

/** Whether the signature holds, and if not, why. */
export type SignatureResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: SignatureFailure };

const TIMESTAMP = /^\d{1,12}$/;
const SIGNATURE = /^v0=([0-9a-f]{64})$/;

/**
 * Checks Slack's `v0` request signature: HMAC-SHA256 of `v0:<timestamp>:<raw body>` under the
 * signing secret, compared in constant time, with the timestamp within five minutes of `now`
 * so that a captured request cannot be replayed later.
 */
export function verifySlackSignature(secret: string, request: SignedRequest, now: Date): SignatureResult {
  const { timestamp, signature, rawBody } = request;
  if (!timestamp || !signature) return { ok: false, reason: "missing_headers" };
  if (!TIMESTAMP.test(timestamp)) return { ok: false, reason: "bad_timestamp" };
  if (Math.abs(now.getTime() / 1000 - Number(timestamp)) > SIGNATURE_WINDOW_S) {
    return { ok: false, reason: "stale" };
  }
  const sent = SIGNATURE.exec(signature.trim().toLowerCase());
  if (!sent?.[1]) return { ok: false, reason: "bad_version" };
  const expected = Buffer.from(signSlackRequest(secret, timestamp, rawBody).slice(3), "hex");
  const given = Buffer.from(sent[1], "hex");
  // Both are 32 bytes here, which timingSafeEqual requires; the length check only guards that.
  const same = given.length === expected.length && timingSafeEqual(given, expected);
  return same ? { ok: true } : { ok: false, reason: "mismatch" };
}

/** The `X-Slack-Signature` value Slack would send for this timestamp and body. */
export function signSlackRequest(secret: string, timestamp: string, rawBody: string): string {
  const mac = createHmac("sha256", secret).update(`v0:${timestamp}:${rawBody}`, "utf8").digest("hex");
  return `v0=${mac}`;
}
