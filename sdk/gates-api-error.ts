/**
 * The codes the server answers with, e.g. `FORBIDDEN_BY_SETTINGS` when a repo's settings refuse a
 * registration (`details.refusals` names each field and setting), `LOCKED`, `ALREADY_VOTED`.
 */
export type { ErrorCode as ApiErrorCode } from "../lambdas/core/errors";

/** Codes the SDK itself uses when there is no server answer to report. */
export type ClientErrorCode = "NETWORK_ERROR" | "TIMEOUT" | "UNEXPECTED_RESPONSE" | "INVALID_REQUEST";

/**
 * An error answer from the Approval Gates API, or a failure to get one. `status` is the HTTP
 * status, or 0 when no answer arrived (network, timeout) or the request was refused before
 * sending; `code` is the server's error code or a {@link ClientErrorCode}.
 */
export class GatesApiError extends Error {
  override readonly name = "GatesApiError";

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly details?: Record<string, unknown>,
    /** Seconds the server asked us to wait (429). */
    readonly retryAfterS?: number,
  ) {
    super(message);
  }

  /** The server's request id, as `request_id` appears in error bodies. */
  get request_id(): string | undefined {
    return this.requestId;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Builds the error for a non-2xx answer from its body, falling back to the status line. */
export function errorFromResponse(
  status: number,
  body: unknown,
  headers: Pick<Headers, "get">,
): GatesApiError {
  const retryAfter = Number(headers.get("retry-after"));
  const retryAfterS = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
  const headerId = headers.get("x-request-id") ?? undefined;
  const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
  if (error && typeof error.code === "string" && typeof error.message === "string") {
    const requestId = typeof error.request_id === "string" ? error.request_id : headerId;
    const details = isRecord(error.details) ? error.details : undefined;
    return new GatesApiError(status, error.code, error.message, requestId, details, retryAfterS);
  }
  return new GatesApiError(status, `HTTP_${status}`, `HTTP ${status} without an error body`, headerId);
}
