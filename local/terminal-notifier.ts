import { perEventConsumer, type StreamConsumer } from "../lambdas/adapters/stream/stream-consumer";
import type { LedgerEvent } from "../lambdas/core/ledger";
import { stripControl } from "../lambdas/core/sanitize";

/** Where and how the terminal notifier prints. */
export interface TerminalNotifierOptions {
  /** Receives one block of text, ending in a newline, per notification. */
  readonly write: (text: string) => void;
  /** The local API, e.g. "http://127.0.0.1:3000", for the curl commands. */
  readonly baseUrl: string;
  /**
   * Colour severities and outcomes with ANSI escapes.
   * @default false
   */
  readonly color?: boolean;
  /**
   * The clock for "seconds left".
   * @default Date.now
   */
  readonly now?: () => number;
}

const ANSI = {
  reset: "\x1b[0m",
  bold: "\x1b[1m",
  dim: "\x1b[2m",
  yellow: "\x1b[33m",
  red: "\x1b[31m",
  green: "\x1b[32m",
  critical: "\x1b[1;7;31m",
} as const;
const SEVERITY_STYLE: Readonly<Record<string, string>> = {
  low: ANSI.dim,
  medium: ANSI.yellow,
  high: ANSI.red,
  critical: ANSI.critical,
};
const OUTCOME_STYLE: Readonly<Record<string, string>> = {
  APPROVED: ANSI.green,
  DENIED: ANSI.red,
  TIMED_OUT: ANSI.yellow,
  CANCELLED: ANSI.dim,
};
/** Repos remembered from `task.created`, since `approval.requested` does not repeat the repo. */
const MAX_REMEMBERED_REPOS = 1_000;
/** Words a POSIX shell reads literally without quotes. */
const SHELL_SAFE = /^[A-Za-z0-9._:/@%+=,-]+$/;

/**
 * A stream consumer that shows a human at the terminal what agents ask for and how it was decided:
 * on `approval.requested` a block with the tool, the sanitized input preview, rules, severity, reason,
 * deadline, repo and task, and the exact commands to approve or deny; on `approval.voted` and
 * `approval.decided` one line each.
 * Other events print nothing. Every value is printed as data with control characters stripped, and odd
 * or missing fields never throw: what is there is printed.
 */
export function terminalNotifier(options: TerminalNotifierOptions): StreamConsumer {
  const repos = new Map<string, string>();
  return perEventConsumer(async (event) => {
    if (event.type === "task.created") {
      const repo = text(event.data.repo);
      if (repo !== undefined) repos.set(event.task_id, repo);
      if (repos.size > MAX_REMEMBERED_REPOS) repos.delete(repos.keys().next().value ?? "");
    } else if (event.type === "approval.requested") {
      options.write(requestedBlock(event, options, repos.get(event.task_id)));
    } else if (event.type === "approval.voted") {
      options.write(votedLine(event));
    } else if (event.type === "approval.decided") {
      options.write(decidedLine(event, options));
    }
  });
}

function requestedBlock(event: LedgerEvent, options: TerminalNotifierOptions, knownRepo?: string): string {
  const { data } = event;
  const style = paint(options.color ?? false);
  const taskId = text(event.task_id);
  const requestId = text(data.request_id);
  const severity = text(data.severity);
  const rules = list(data.rule_ids);
  const lines = [
    style(ANSI.bold, `Approval requested: ${clean(text(data.tool_name) ?? "(unknown tool)")}`),
    field("task", taskId),
    field("repo", text(data.repo) ?? knownRepo),
    field("request", requestId),
    severity === undefined
      ? undefined
      : `  severity  ${style(SEVERITY_STYLE[severity], clean(severity).toUpperCase())}`,
    field("rules", rules.length === 0 ? undefined : rules.join(", ")),
    field("approvals", approvalsNeeded(data)),
    field("reason", text(data.reason)),
    field("deadline", deadline(text(data.expires_at), options.now ?? Date.now)),
    field("input", text(data.tool_input_preview)),
  ];
  if (taskId !== undefined && requestId !== undefined) {
    const approver = list(data.approvers)[0] ?? "<your-id>";
    const curl = (verb: "approve" | "deny"): string =>
      [
        "curl -s -X POST",
        shellQuote(`${options.baseUrl}/v1/tasks/${encodeURIComponent(taskId)}/${verb}`),
        "-H",
        shellQuote(`authorization: Bearer local:human:${approver}`),
        "-H",
        shellQuote("content-type: application/json"),
        "-d",
        shellQuote(JSON.stringify({ request_id: requestId })),
      ].join(" ");
    const ids = `${shellQuote(taskId)} ${shellQuote(requestId)}`;
    lines.push(
      field("approve", curl("approve")),
      field("deny", curl("deny")),
      field("with CLI", `gates approve ${ids}`),
      `            gates deny ${clean(ids)} --reason "…"`,
    );
  }
  // A blank line first sets the block apart from log lines around it.
  return `\n${lines.filter((line) => line !== undefined).join("\n")}\n`;
}

/** "2 distinct approvers, not the task's owner", when a request needs more than the usual one. */
function approvalsNeeded(data: LedgerEvent["data"]): string | undefined {
  const required = typeof data.approvals_required === "number" ? data.approvals_required : 1;
  const notOwner = data.approver_not_owner === true;
  if (required <= 1 && !notOwner) return undefined;
  return `${required} distinct approver${required === 1 ? "" : "s"}${notOwner ? ", not the task's owner" : ""}`;
}

/** One approval of a request that needs several: who, and the progress. */
function votedLine(event: LedgerEvent): string {
  const { data } = event;
  const parts = [
    "Approval vote:",
    clean(`${event.task_id}/${text(data.request_id) ?? "?"}`),
    `by ${clean(text(data.by) ?? text(event.actor.id) ?? "?")}`,
  ];
  const progress = text(data.progress);
  if (progress !== undefined) parts.push(`— ${clean(progress)}`);
  return `${parts.join(" ")}\n`;
}

function decidedLine(event: LedgerEvent, options: TerminalNotifierOptions): string {
  const { data } = event;
  const style = paint(options.color ?? false);
  const status = text(data.status) ?? "DECIDED";
  const parts = [
    `Approval ${style(OUTCOME_STYLE[status], clean(status))}:`,
    clean(`${event.task_id}/${text(data.request_id) ?? "?"}`),
    `by ${clean(list(data.approved_by).join(", ") || (text(data.decided_by) ?? text(event.actor.id) ?? "?"))}`,
  ];
  const via = text(data.via);
  if (via !== undefined) parts.push(`via ${clean(via)}`);
  const scope = text(data.scope);
  if (scope !== undefined) parts.push(`scope ${clean(scope)}`);
  if (typeof data.latency_ms === "number") parts.push(`after ${duration(data.latency_ms)}`);
  return `${parts.join(" ")}\n`;
}

/** A labelled line, or nothing when the value is missing. */
function field(label: string, value: string | undefined): string | undefined {
  return value === undefined ? undefined : `  ${label.padEnd(9)} ${clean(value)}`;
}

function deadline(expiresAt: string | undefined, now: () => number): string | undefined {
  if (expiresAt === undefined) return undefined;
  const left = Math.round((Date.parse(expiresAt) - now()) / 1000);
  if (Number.isNaN(left)) return expiresAt;
  return `${expiresAt} (${left > 0 ? `${left} s left` : "expired"})`;
}

function duration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.floor((ms % 60_000) / 1_000)} s`;
}

/** One line of printable text: whitespace runs (newlines included) become a space, controls and escapes go. */
function clean(value: string): string {
  return stripControl(value.replace(/\s+/g, " "));
}

/** A string or number field as text; anything else counts as missing. */
function text(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  return typeof value === "number" && Number.isFinite(value) ? String(value) : undefined;
}

function list(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item) => {
    const itemText = text(item);
    return itemText === undefined ? [] : [itemText];
  });
}

/** Quotes a word for a POSIX shell; ids are restricted already, approver ids less so. */
function shellQuote(word: string): string {
  return SHELL_SAFE.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

function paint(enabled: boolean): (style: string | undefined, value: string) => string {
  return (style, value) => (enabled && style !== undefined ? `${style}${value}${ANSI.reset}` : value);
}
