import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebAPIRequestError,
} from "@slack/web-api";
import { classifySlackError } from "../../lambdas/adapters/slack/outbound/slack-errors";

const platform = (error: string) => new WebAPIPlatformError({ ok: false, error });

describe("classifySlackError", () => {
  it.each([
    "channel_not_found",
    "not_in_channel",
    "is_archived",
    "invalid_auth",
    "token_revoked",
    "account_inactive",
    "missing_scope",
    "invalid_blocks",
    "msg_too_long",
    "message_not_found",
  ])("treats %s as terminal", (error) => {
    expect(classifySlackError(platform(error))).toEqual({ kind: "terminal", reason: error });
  });

  it.each(["ratelimited", "internal_error", "service_unavailable", "request_timeout"])(
    "retries %s",
    (error) => {
      expect(classifySlackError(platform(error))).toEqual({ kind: "retryable", reason: error });
    },
  );

  it.each([
    [new WebAPIRateLimitedError(30), { kind: "retryable", reason: "rate_limited", retryAfterS: 30 }],
    [new WebAPIHTTPError(503, "Service Unavailable", {}), { kind: "retryable", reason: "http_503" }],
    [new WebAPIHTTPError(500, "Internal Server Error", {}), { kind: "retryable", reason: "http_500" }],
    [new WebAPIHTTPError(404, "Not Found", {}), { kind: "terminal", reason: "http_404" }],
    [new WebAPIRequestError(new Error("ECONNREFUSED")), { kind: "retryable", reason: "network" }],
    [new Error("something else"), { kind: "retryable", reason: "unknown" }],
  ])("classifies %p", (error, expected) => {
    expect(classifySlackError(error)).toEqual(expected);
  });
});
