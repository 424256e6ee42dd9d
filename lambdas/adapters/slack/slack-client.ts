import { WebClient } from "@slack/web-api";

/** Where the bot talks to Slack. */
export interface SlackClientConfig {
  /** The bot token, `xoxb-…`. */
  readonly token: string;
  /** A Slack-compatible Web API base URL. @default "https://slack.com/api/" */
  readonly apiUrl?: string;
  /** Per-call timeout. @default 5000 ms */
  readonly timeoutMs?: number;
}

/**
 * The one place a Slack client is built. It never retries or waits on its own: the stream
 * redelivers a failed record, a Lambda sleeping through a `retry-after` would only burn its
 * timeout, and a deny dialog must open within the 3 seconds Slack gives its trigger.
 */
export function createSlackClient(config: SlackClientConfig): WebClient {
  return new WebClient(config.token, {
    ...(config.apiUrl ? { slackApiUrl: withSlash(config.apiUrl) } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: config.timeoutMs ?? 5_000,
  });
}

/** The client resolves method names against the base URL, which must end with a slash. */
function withSlash(url: string): string {
  return url.endsWith("/") ? url : `${url}/`;
}
