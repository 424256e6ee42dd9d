import { type Authenticator, createAuthenticator, type GatesAuth } from "./auth";
import { errorFromResponse, GatesApiError } from "./gates-api-error";

/** How hard to retry idempotent calls. */
export interface RetryOptions {
  /** Total attempts, the first included. @default 3 */
  readonly attempts?: number;
  /** The first back-off ceiling; each retry doubles it, with full jitter. @default 200 */
  readonly baseDelayMs?: number;
  /** No single wait is longer than this, `retry-after` included. @default 5000 */
  readonly maxDelayMs?: number;
}

/** Connection settings shared by every call. */
export interface TransportOptions {
  /** The API base URL, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly auth?: GatesAuth;
  readonly retry?: RetryOptions;
  /** Per-request time limit, added to any long-poll wait. @default 15000 */
  readonly timeoutMs?: number;
  /** A fetch to use instead of the global one (tests, proxies). */
  readonly fetch?: typeof fetch;
}

/** One API call. */
export interface CallOptions {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  readonly path: string;
  readonly query?: Record<string, string | number | undefined>;
  readonly body?: unknown;
  /** Safe to send twice: GETs, and creates that name their resource. */
  readonly idempotent?: boolean;
  /** Extra time this call may take on purpose (a long-poll). */
  readonly extraTimeMs?: number;
}

/**
 * Answers worth asking again when the call is idempotent: throttled, unavailable, and the
 * gateway's timeout, which a long-poll meets when its function starts cold near API Gateway's
 * 29 s limit; nothing was decided, so asking again is safe.
 */
const RETRYABLE_STATUS = new Set([429, 503, 504]);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends calls to the API: auth, JSON, time limits, error mapping and bounded retries. */
export class HttpTransport {
  private readonly base: URL;
  private readonly authenticate: Authenticator;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: TransportOptions) {
    this.base = new URL(options.url.endsWith("/") ? options.url : `${options.url}/`);
    this.authenticate = createAuthenticator(options.auth);
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Sends the call and returns the parsed JSON body of a 2xx answer; throws {@link GatesApiError} otherwise. */
  async call(call: CallOptions): Promise<unknown> {
    const retry = this.options.retry ?? {};
    const attempts = call.idempotent ? Math.max(1, retry.attempts ?? 3) : 1;
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.once(call);
      } catch (error) {
        if (!(error instanceof GatesApiError) || attempt >= attempts || !isRetryable(error)) throw error;
        const ceiling = Math.min(retry.maxDelayMs ?? 5000, (retry.baseDelayMs ?? 200) * 2 ** (attempt - 1));
        const wait =
          error.retryAfterS !== undefined
            ? Math.min(retry.maxDelayMs ?? 5000, error.retryAfterS * 1000)
            : Math.random() * ceiling;
        await sleep(wait);
      }
    }
  }

  private async once(call: CallOptions): Promise<unknown> {
    const url = new URL(call.path.replace(/^\//, ""), this.base);
    for (const [key, value] of Object.entries(call.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const body = call.body === undefined ? undefined : JSON.stringify(call.body);
    const headers = await this.authenticate({
      method: call.method,
      url,
      headers: body === undefined ? { accept: "application/json" } : { "content-type": "application/json" },
      ...(body !== undefined ? { body } : {}),
    });
    const timeoutMs = (this.options.timeoutMs ?? 15_000) + (call.extraTimeMs ?? 0);
    let response: Response;
    let text: string;
    try {
      response = await this.fetchFn(url, {
        method: call.method,
        headers,
        // The API never redirects; following one could carry credentials to another host.
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
        ...(body !== undefined ? { body } : {}),
      });
      text = await response.text();
    } catch (error) {
      const timedOut = error instanceof Error && error.name === "TimeoutError";
      const reason =
        error instanceof Error
          ? error.cause instanceof Error
            ? error.cause.message
            : error.message
          : String(error);
      throw timedOut
        ? new GatesApiError(0, "TIMEOUT", `no answer from ${this.base.origin} within ${timeoutMs} ms`)
        : new GatesApiError(0, "NETWORK_ERROR", `cannot reach ${this.base.origin}: ${reason}`);
    }
    const parsed = parseJson(text);
    if (!response.ok) throw errorFromResponse(response.status, parsed, response.headers);
    if (parsed === undefined)
      throw new GatesApiError(
        response.status,
        "UNEXPECTED_RESPONSE",
        `the answer was not JSON (HTTP ${response.status})`,
        response.headers.get("x-request-id") ?? undefined,
      );
    return parsed;
  }
}

function isRetryable(error: GatesApiError): boolean {
  return error.code === "NETWORK_ERROR" || RETRYABLE_STATUS.has(error.status);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
