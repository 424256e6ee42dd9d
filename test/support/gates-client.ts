/** A minimal HTTP client for tests: one call per line, the caller chosen by local token. */
export interface Reply<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

export const AGENT = "local:agent:agent-1";
export const OTHER_AGENT = "local:agent:agent-2";
export const OWNER = "local:human:alice";
export const APPROVER = "local:human:bob";
export const STRANGER = "local:human:mallory";
export const ADMIN = "local:admin:root";

export function gatesClient(baseUrl: string) {
  const send = async <T>(
    token: string | undefined,
    method: string,
    path: string,
    body?: unknown,
  ): Promise<Reply<T>> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : {}) as T, headers: res.headers };
  };
  return {
    as(token: string | undefined) {
      return {
        get: <T = Record<string, unknown>>(path: string) => send<T>(token, "GET", path),
        post: <T = Record<string, unknown>>(path: string, body: unknown = {}) =>
          send<T>(token, "POST", path, body),
        put: <T = Record<string, unknown>>(path: string, body: unknown = {}) =>
          send<T>(token, "PUT", path, body),
        delete: <T = Record<string, unknown>>(path: string) => send<T>(token, "DELETE", path),
      };
    },
  };
}

export type GatesClient = ReturnType<typeof gatesClient>;

/** Polls `check` until it returns a value, or fails after the deadline; for conditions, never a fixed sleep. */
export async function waitFor<T>(
  check: () => Promise<T | undefined>,
  timeoutMs = 5000,
  what = "condition",
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
