import { setTimeout as sleep } from "node:timers/promises";
import * as z from "zod/mini";
import { WEBHOOK_HEADERS } from "../../core/webhooks/signature";
import { ChannelFailure, type DeliveryStore, type NotificationChannel } from "../channels/channel";
import { postSigned } from "./signed-post";
import { type WebhookEndpoint, webhookChannelName } from "./webhook-config";
import { deliveryId, renderWebhookBody } from "./webhook-payload";

/** How a webhook channel sends; every field has a default fit for a Lambda with a 60-second timeout. */
export interface WebhookSendOptions {
  /** Per-attempt timeout. @default 5000 ms */
  readonly timeoutMs?: number;
  /** Attempts per delivery before the record is failed back to the stream. @default 3 */
  readonly attempts?: number;
  /** Pause before attempt `n` (from 2). @default 250 ms doubling, with jitter */
  readonly backoffMs?: (attempt: number) => number;
  /** @default real time */
  readonly sleep?: (ms: number) => Promise<void>;
  /** @default the system clock */
  readonly now?: () => Date;
  /** The `User-Agent` sent. @default "approval-gates" */
  readonly userAgent?: string;
}

const defaultBackoff = (attempt: number) => 250 * 2 ** (attempt - 2) * (0.5 + Math.random() / 2);

/** The state a webhook channel records on a request: the last event seq it delivered. */
const SeqStateSchema = z.object({ seq: z.number() });

/** Statuses worth another attempt: the receiver may answer differently in a moment. */
const isRetryableStatus = (status: number) => status === 408 || status === 429 || status >= 500;

/**
 * A signed webhook endpoint as a notification channel: every request event (requested, voted,
 * decided) is one POST of JSON (or an Adaptive Card) signed with the endpoint's secret.
 *
 * Delivery is at least once on the wire and once after the receiver's dedup: the channel records
 * the last event seq it delivered on the request, so a redelivered record is skipped; a send that
 * succeeded just before the record failed is sent again with the same `X-Gates-Delivery`, which the
 * receiver drops. 5xx, 408, 429, timeouts and network errors are retried here with backoff and then
 * fail the stream record (bounded retries, then the dead-letter queue); other answers are terminal.
 * Redirects are never followed.
 */
export function webhookChannel(
  endpoint: WebhookEndpoint,
  store: DeliveryStore,
  options: WebhookSendOptions = {},
): NotificationChannel {
  const name = webhookChannelName(endpoint.id);
  const attempts = options.attempts ?? 3;
  const pause = options.sleep ?? ((ms: number) => sleep(ms));

  const send = async (body: string, headers: Record<string, string>): Promise<void> => {
    let failure = new ChannelFailure("retryable", "not_sent");
    for (let attempt = 1; attempt <= attempts; attempt++) {
      if (attempt > 1) await pause((options.backoffMs ?? defaultBackoff)(attempt));
      let status: number;
      try {
        status = await postSigned(endpoint, body, headers, options);
      } catch (error) {
        const timedOut =
          error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError");
        failure = new ChannelFailure("retryable", timedOut ? "timeout" : "network", { cause: error });
        continue;
      }
      if (status >= 200 && status < 300) return;
      if (status >= 300 && status < 400)
        throw new ChannelFailure("terminal", `redirect_${status}_not_followed`);
      if (!isRetryableStatus(status)) throw new ChannelFailure("terminal", `http_${status}`);
      failure = new ChannelFailure("retryable", `http_${status}`);
    }
    throw failure;
  };

  return {
    name,
    kind: "webhook",
    async deliver({ event, approval, state }) {
      const done = SeqStateSchema.safeParse(state);
      if (done.success && done.data.seq >= event.seq) return "skipped_duplicate";
      const body = renderWebhookBody(endpoint.format, event, approval);
      await send(body, {
        [WEBHOOK_HEADERS.delivery]: deliveryId(event),
        [WEBHOOK_HEADERS.event]: event.type,
      });
      await store.recordSeq(approval.task_id, approval.request_id, name, event.seq);
      return "sent";
    },
  };
}
