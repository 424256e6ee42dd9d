import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from "@slack/web-api";

/** Whether a failed Slack call is worth repeating: `retryable` fails the stream record, `terminal` does not. */
export type SlackFailureKind = "retryable" | "terminal";

/** A failed Slack call, classified, with a short reason safe to log and count. */
export interface SlackFailure {
  readonly kind: SlackFailureKind;
  /** The platform error (`channel_not_found`), `http_<status>`, `rate_limited` or `network`. */
  readonly reason: string;
  /** Seconds Slack asked to wait, for a rate-limited call. */
  readonly retryAfterS?: number;
}

/** Platform errors that a later attempt can succeed on; every other platform error is terminal. */
const RETRYABLE_PLATFORM_ERRORS: ReadonlySet<string> = new Set([
  "ratelimited",
  "rate_limited",
  "internal_error",
  "service_unavailable",
  "request_timeout",
  "fatal_error",
]);

/**
 * Classifies an error thrown by `@slack/web-api`. Configuration and content errors (a missing channel,
 * a revoked token, blocks Slack rejects) would fail the same way on every retry, so they are terminal;
 * rate limits, Slack's 5xx and network trouble pass. An error this code does not recognise is treated
 * as retryable: the bounded retries and the dead-letter queue keep it visible instead of dropping it.
 */
export function classifySlackError(error: unknown): SlackFailure {
  if (error instanceof WebAPIRateLimitedError) {
    return { kind: "retryable", reason: "rate_limited", retryAfterS: error.retryAfter };
  }
  if (error instanceof WebAPIPlatformError) {
    const reason = error.data.error;
    return { kind: RETRYABLE_PLATFORM_ERRORS.has(reason) ? "retryable" : "terminal", reason };
  }
  if (error instanceof WebAPIHTTPError) {
    const status = error.statusCode;
    const retryable = status >= 500 || status === 408 || status === 429;
    return { kind: retryable ? "retryable" : "terminal", reason: `http_${status}` };
  }
  if (error instanceof WebAPIRequestError) return { kind: "retryable", reason: "network" };
  return { kind: "retryable", reason: "unknown" };
}
