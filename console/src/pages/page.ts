import type { ApiError, ConsoleApi } from "../api";
import type { Session } from "../auth/session";
import { type Child, h } from "../dom";
import type { Route } from "../router";

/** What every page gets: the API client, the session and how to move to another page. */
export interface PageContext {
  readonly api: ConsoleApi;
  readonly session: Session;
  /** The age limit of the sign-in behind critical approvals, in minutes. */
  readonly criticalSignInMaxAgeMin: number;
  navigate(route: Route): void;
}

/** A rendered page; `dispose` stops its polling when another page replaces it. */
export interface Page {
  readonly title: string;
  readonly node: HTMLElement;
  dispose(): void;
}

/** A severity as a badge; the class carries the colour, the text says it too. */
export function severityBadge(severity: string): HTMLElement {
  const known = ["low", "medium", "high", "critical"].includes(severity) ? severity : "unknown";
  return h("span", { class: `badge severity-${known}` }, severity);
}

/** A status as a badge. */
export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge status-${status.toLowerCase().replace(/[^a-z_]/g, "")}` }, status);
}

/** An alert box for an API error: its message and code, and the request id to quote. */
export function errorBox(error: unknown, extra?: Child): HTMLElement {
  const api = error as Partial<ApiError>;
  const message = error instanceof Error ? error.message : String(error);
  return h(
    "div",
    { class: "alert error", role: "alert", "data-testid": "error" },
    h("strong", {}, api.code ? `${api.code}: ` : "Error: "),
    message,
    api.requestId ? h("small", {}, ` (request id ${api.requestId})`) : undefined,
    extra,
  );
}

/** A definition list of label/value pairs. */
export function facts(rows: readonly (readonly [string, Child])[]): HTMLElement {
  return h(
    "dl",
    { class: "facts" },
    rows.map(([label, value]) => [h("dt", {}, label), h("dd", {}, value)]),
  );
}

/** Runs `tick` now and then every `everyMs` until stopped; overlapping runs are skipped. */
export function every(everyMs: number, tick: () => Promise<void> | void): () => void {
  let stopped = false;
  let running = false;
  const run = async () => {
    if (stopped || running) return;
    running = true;
    try {
      await tick();
    } finally {
      running = false;
    }
  };
  void run();
  const timer = setInterval(() => void run(), everyMs);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
