import { stripControl } from "../lambdas/core/sanitize";
import type { InitiateAuth, RespondToAuthChallenge, RevokeToken } from "./auth/cognito-login";
import type { PromptInput } from "./auth/read-password";

/** Where the CLI writes and what it reads; `runCli` takes these so tests run it in-process. */
export interface CliIo {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown };
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Ends long-running commands (`pending --watch`, `dev`); Ctrl-C in a real terminal. */
  readonly signal?: AbortSignal;
  /** Where `login` reads a password. */
  readonly stdin?: PromptInput;
  /** The Cognito call behind `login` and token refresh; tests pass a fake. */
  readonly initiateAuth?: InitiateAuth;
  /** The Cognito call behind `logout`; tests pass a fake. */
  readonly revokeToken?: RevokeToken;
  /** The Cognito call answering a first sign-in's new password or an MFA code; tests pass a fake. */
  readonly respondToAuthChallenge?: RespondToAuthChallenge;
  /** Opens a URL in the human's browser, for `login --web`; tests follow the URL themselves. */
  readonly openBrowser?: (url: string) => void | Promise<void>;
  /**
   * The local control plane behind `gates dev`. A checkout's `gates` has it; the npm package
   * does not ship it (it needs DynamoDB Local and Java), so there `dev` says where to get it.
   */
  readonly localControlPlane?: () => typeof import("../local/local-control-plane");
}

/** Thrown for a usage mistake that commander cannot see; exits 2. */
export class UsageError extends Error {}

/** Thrown when a check or command refused or failed, after it has printed why; exits 1. */
export class CheckFailed extends Error {}

const SEVERITY_COLOURS: Readonly<Record<string, string>> = {
  critical: "\x1b[1;31m",
  high: "\x1b[31m",
  medium: "\x1b[33m",
  low: "\x1b[36m",
  PASS: "\x1b[32m",
  OK: "\x1b[32m",
  FAIL: "\x1b[31m",
  WARN: "\x1b[33m",
  SKIP: "\x1b[33m",
};

/** Writing helpers bound to one run: tables, colour and escape-stripped server text. */
export class Output {
  readonly colour: boolean;

  constructor(
    readonly io: CliIo,
    readonly json: boolean,
  ) {
    const noColor = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== "";
    this.colour = !json && !noColor && io.stdout.isTTY === true;
  }

  line(text = ""): void {
    this.io.stdout.write(`${text}\n`);
  }

  error(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  /** Prints a value as JSON (for `--json`). */
  data(value: unknown): void {
    this.line(JSON.stringify(value, null, 2));
  }

  /** A word coloured by meaning (severity, PASS/FAIL), plain when colour is off. */
  paint(word: string): string {
    const safe = clean(word);
    const colour = SEVERITY_COLOURS[word];
    return this.colour && colour ? `${colour}${safe}\x1b[0m` : safe;
  }

  /** A table with a header row; cells are stripped of control characters before printing. */
  table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
    const plainRows = rows.map((r) => r.map((cell) => visible(cell)));
    const widths = headers.map((h, i) => Math.max(h.length, ...plainRows.map((r) => (r[i] ?? "").length)));
    const render = (cells: readonly string[], plain: readonly string[]) =>
      cells
        .map((cell, i) => cell + " ".repeat(Math.max(0, (widths[i] ?? 0) - (plain[i] ?? "").length)))
        .join("  ")
        .trimEnd();
    const lines = [render(headers, headers), ...rows.map((r, i) => render(r, plainRows[i] ?? []))];
    return lines.join("\n");
  }
}

/** Untrusted server text made safe for a terminal: no escapes or control characters. */
export function clean(text: unknown): string {
  return stripControl(typeof text === "string" ? text : text === undefined ? "" : String(text));
}

/** Text without our own colour codes, for measuring column widths. */
function visible(text: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape is what is removed
  return text.replace(/\x1b\[[0-9;]*m/g, "");
}

/** Cuts a cell to `max` characters. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** `4m05s` until an ISO time, or `expired`. */
export function countdown(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now;
  if (!(ms > 0)) return "expired";
  const s = Math.floor(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}
