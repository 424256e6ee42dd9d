import type { EphemeralMessage, ResponsePoster } from "../../../core/slack/ports";

/** Slack's own response URLs; anything else in a payload is refused so a payload cannot make us call out. */
const SLACK_HOOKS = /^https:\/\/hooks\.slack\.com\//;

export interface ResponseUrlPosterOptions {
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Also allow this origin, e.g. a local fake Slack. @default only hooks.slack.com */
  readonly allowedOrigin?: string;
  /** Slack wants an answer within 3 s, so the post gets less than that. @default 2000 */
  readonly timeoutMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * Posts ephemeral replies to an interaction's `response_url`. A failed post is reported and
 * swallowed: the decision already happened, and Slack must still get its 200.
 */
export function responseUrlPoster(options: ResponseUrlPosterOptions = {}): ResponsePoster {
  const send = options.fetch ?? globalThis.fetch;
  return {
    async post(responseUrl: string, message: EphemeralMessage): Promise<void> {
      const allowed =
        SLACK_HOOKS.test(responseUrl) ||
        (options.allowedOrigin !== undefined && responseUrl.startsWith(`${options.allowedOrigin}/`));
      if (!allowed) {
        options.onError?.(new Error("response_url is not a Slack URL; reply dropped"));
        return;
      }
      try {
        const res = await send(responseUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ response_type: "ephemeral", replace_original: false, text: message.text }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 2000),
        });
        if (!res.ok) options.onError?.(new Error(`response_url answered ${res.status}`));
      } catch (error) {
        options.onError?.(error);
      }
    },
  };
}
