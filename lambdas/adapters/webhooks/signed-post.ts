import { signWebhook, WEBHOOK_HEADERS } from "../../core/webhooks/signature";

/** How one signed POST is sent. */
export interface SignedPostOptions {
  /** @default 5000 ms */
  readonly timeoutMs?: number;
  /** @default the system clock */
  readonly now?: () => Date;
  /** @default "approval-gates" */
  readonly userAgent?: string;
}

/**
 * One signed POST of `body` to an endpoint, signed at the moment it is sent; redirects are not
 * followed. Used by the channel for each attempt and by `gates webhooks test`.
 *
 * @returns the HTTP status
 * @throws on a timeout (`TimeoutError`) or a network failure
 */
export async function postSigned(
  endpoint: { readonly url: string; readonly secret: string },
  body: string,
  headers: Readonly<Record<string, string>>,
  options: SignedPostOptions = {},
): Promise<number> {
  const timestamp = String(Math.floor((options.now ?? (() => new Date()))().getTime() / 1000));
  const response = await fetch(endpoint.url, {
    method: "POST",
    body,
    redirect: "manual",
    signal: AbortSignal.timeout(options.timeoutMs ?? 5_000),
    headers: {
      "content-type": "application/json",
      "user-agent": options.userAgent ?? "approval-gates",
      ...headers,
      [WEBHOOK_HEADERS.timestamp]: timestamp,
      [WEBHOOK_HEADERS.signature]: signWebhook(endpoint.secret, timestamp, body),
    },
  });
  // The answer's body is not ours to keep; reading it frees the connection.
  await response.arrayBuffer().catch(() => undefined);
  return response.status;
}
