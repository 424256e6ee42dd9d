import { describeLock, type LockRecord, lockStopping } from "../governance/locks";
import { quorumFor } from "../governance/quorum";
import { type GrantFacts, grantCoversCall, parseScope, ruleGrants, type Scope } from "../scopes";
import { normalizePath } from "../shell/paths";
import type { ShellParser } from "../shell/syntax";
import { isActive, RECENT_WINDOW_MS, type TaskSnapshot } from "../task";
import { analyzeCall, type CallAnalysis, type ToolCall, writeTargets } from "./call-analysis";
import { buildCedarRequests, type CedarRequest, type TaskFacts } from "./cedar-request";
import type { CompiledPolicySet, RuleError } from "./policy-set";
import { highestSeverity, MIN_APPROVAL_TIMEOUT_S, type RuleMeta, type Severity } from "./rules";

export type DenySource =
  | "task_state"
  | "budget"
  | "hard_deny"
  | "fail_closed"
  | "recent_denial"
  | "cap"
  | "rate_limit"
  | "lock"
  | "quorum";

export type Evaluation =
  | {
      readonly decision: "ALLOW";
      readonly source: "grant" | "default_allow";
      readonly reason: string;
      readonly rule_ids: readonly string[];
      /** The grant that allowed the call, when one did. */
      readonly grant?: string;
    }
  | {
      readonly decision: "DENY";
      readonly source: DenySource;
      readonly reason: string;
      readonly rule_ids: readonly string[];
    }
  | {
      readonly decision: "REQUIRE_APPROVAL";
      readonly source: "soft_rule";
      readonly reason: string;
      readonly rule_ids: readonly string[];
      readonly severity: Severity;
      readonly timeout_s: number;
      /** Distinct approvers needed. */
      readonly approvals_required: number;
      /** Whether the task's owner is excluded from approving. */
      readonly approver_not_owner: boolean;
    };

/** At most this many approval requests per task in any `RECENT_WINDOW_MS`. */
export const MAX_REQUESTS_PER_WINDOW = 20;
const MAX_ERROR_TEXT = 300;

export interface EvaluateInput {
  readonly task: TaskSnapshot;
  readonly call: ToolCall;
  /** SHA-256 of the canonical tool input, computed once by the caller for the ledger too. */
  readonly inputSha256: string;
  readonly policies: CompiledPolicySet;
  /** Reads the shell commands of Bash-like calls. */
  readonly shell: ShellParser;
  /** The locks in force; one that stops the task denies every call. */
  readonly locks: readonly LockRecord[];
  readonly now: Date;
  /**
   * The most items the task store writes in one change. Closing a task ends every PENDING request
   * in one change, so requests are capped to fit ({@link maxPendingRequests}).
   * @default no cap: a dry run commits nothing
   */
  readonly maxItemsPerChange?: number;
}

/**
 * How many requests may wait at once so that closing the task fits one change: the task's item,
 * one event, and per PENDING request the approval plus one inbox row per approver (or group).
 */
export function maxPendingRequests(maxItemsPerChange: number, approverCount: number): number {
  return Math.floor((maxItemsPerChange - 2) / (1 + approverCount));
}

/**
 * Decides one tool call; the first matching step wins. Pure: the same task, call, policies
 * and clock always give the same answer, and any policy error is a DENY.
 */
export function decideToolCall({
  task,
  call,
  inputSha256,
  policies,
  shell,
  locks,
  now,
  maxItemsPerChange,
}: EvaluateInput): Evaluation {
  if (!isActive(task.status)) {
    return deny("task_state", [], `The task is ${task.status}; it accepts no more tool calls.`);
  }
  const lock = lockStopping(locks, task, now);
  if (lock) return deny("lock", [], `Stopped by ${describeLock(lock)}.`);
  if (task.counters.tool_calls >= task.max_tool_calls) {
    return deny("budget", [], `The task used its whole budget of ${task.max_tool_calls} tool calls.`);
  }

  let analysis: CallAnalysis;
  let requests: CedarRequest[];
  try {
    analysis = analyzeCall(call, shell);
    requests = buildCedarRequests(task, call, analysis);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return deny(
      "fail_closed",
      [],
      `The command could not be analyzed (${clip(message)}), so the call is denied.`,
    );
  }
  const match = matchAll(policies, requests);
  if (!match.ok) {
    return deny(
      "fail_closed",
      [],
      `Policy evaluation failed (${clip(match.message)}), so the call is denied.`,
    );
  }
  const matched = match.matched.map((id) => policies.rule(id)).filter((r): r is RuleMeta => r !== undefined);
  const hard = matched.filter((r) => r.tier === "hard");
  if (hard.length > 0) return deny("hard_deny", ids(hard), `Denied by ${describe(hard)}.`);
  if (match.errors.length > 0) {
    const first = match.errors[0]?.message ?? "";
    return deny(
      "fail_closed",
      match.errors.map((e) => e.rule_id),
      `Rule ${match.errors.map((e) => e.rule_id).join(", ")} could not be evaluated (${clip(first)}), so the call is denied.`,
    );
  }

  const soft = matched.filter((r) => r.tier === "soft");
  const scopes = parsedGrants(task);
  const facts = grantFacts(task, call, analysis, policies, soft, scopes);
  const covering = scopes.find((g) => g.scope.kind !== "rule" && grantCoversCall(g.scope, facts));
  if (covering) {
    return {
      decision: "ALLOW",
      source: "grant",
      reason: `Allowed by grant ${covering.text}.`,
      rule_ids: [],
      grant: covering.text,
    };
  }

  const cutoff = now.getTime() - RECENT_WINDOW_MS;
  const recent = task.recent_denials.filter((d) => isWithin(d.at, cutoff, now));
  const sameCall = recent.find((d) => d.tool_name === call.tool_name && d.input_sha256 === inputSha256);
  if (sameCall) {
    return deny(
      "recent_denial",
      sameCall.rule_ids,
      `This exact call was ${sameCall.status === "DENIED" ? "denied" : "left unanswered"} less than a minute ago; change it or wait before asking again.`,
    );
  }

  if (soft.length === 0)
    return { decision: "ALLOW", source: "default_allow", reason: "No rule matched.", rule_ids: [] };

  const granted = ruleGrants(scopes.map((g) => g.scope));
  if (soft.every((r) => granted.has(r.rule_id))) {
    const grant = soft.map((r) => `rule:${r.rule_id}`).join(", ");
    return {
      decision: "ALLOW",
      source: "grant",
      reason: `Allowed by grant ${grant}.`,
      rule_ids: ids(soft),
      grant,
    };
  }
  const deniedRule = recent.find(
    (d) =>
      d.status === "DENIED" &&
      d.tool_name === call.tool_name &&
      soft.some((r) => d.rule_ids.includes(r.rule_id)),
  );
  if (deniedRule) {
    return deny(
      "recent_denial",
      ids(soft),
      `A human denied a ${call.tool_name} call under ${deniedRule.rule_ids.join(", ")} less than a minute ago; wait before asking again.`,
    );
  }
  if (task.counters.approvals_requested >= task.approval_gate_cap) {
    return deny(
      "cap",
      ids(soft),
      `The task already asked for ${task.counters.approvals_requested} approvals, its cap of ${task.approval_gate_cap}.`,
    );
  }
  if (task.recent_request_times.filter((at) => isWithin(at, cutoff, now)).length >= MAX_REQUESTS_PER_WINDOW) {
    return deny(
      "rate_limit",
      ids(soft),
      `The task asked for ${MAX_REQUESTS_PER_WINDOW} approvals in the last minute; wait before asking again.`,
    );
  }
  const quorum = quorumFor(
    {
      owner: task.owner,
      approvers: task.approvers,
      approverGroups: task.approver_groups,
      defaultRequired: task.approvals_required,
    },
    soft,
  );
  if (!quorum.ok) return deny("quorum", ids(soft), `Cannot be approved: ${quorum.reason}.`);
  const waiting = task.pending_request_ids.length;
  if (
    maxItemsPerChange !== undefined &&
    waiting >= maxPendingRequests(maxItemsPerChange, task.approvers.length + task.approver_groups.length)
  ) {
    return deny(
      "rate_limit",
      ids(soft),
      `The task already has ${waiting} approval requests waiting; wait for a decision before asking again.`,
    );
  }
  return {
    decision: "REQUIRE_APPROVAL",
    source: "soft_rule",
    reason: `Needs approval: ${describe(soft)}.${unreadReason(soft, analysis)}`,
    rule_ids: ids(soft),
    severity: highestSeverity(soft.map((r) => r.severity ?? "medium")),
    timeout_s: mergedTimeout(task.approval_timeout_s, soft),
    approvals_required: quorum.required,
    approver_not_owner: quorum.notOwner,
  };
}

/** The shortest of the task's timeout and every matched rule's, but never under the minimum. */
export function mergedTimeout(taskTimeoutS: number, rules: readonly RuleMeta[]): number {
  let timeout = taskTimeoutS;
  for (const r of rules)
    if (r.approval_timeout_s !== undefined) timeout = Math.min(timeout, r.approval_timeout_s);
  return Math.max(MIN_APPROVAL_TIMEOUT_S, timeout);
}

function deny(source: DenySource, ruleIds: readonly string[], reason: string): Evaluation {
  return { decision: "DENY", source, reason, rule_ids: ruleIds };
}

function ids(rules: readonly RuleMeta[]): string[] {
  return rules.map((r) => r.rule_id);
}

/** Rules in words: `force_push (a force push rewrites remote history)`. */
function describe(rules: readonly RuleMeta[]): string {
  return rules.map((r) => (r.summary ? `${r.rule_id} (${r.summary})` : r.rule_id)).join("; ");
}

function clip(text: string): string {
  return text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
}

function isWithin(at: string, cutoffMs: number, now: Date): boolean {
  const t = Date.parse(at);
  return t > cutoffMs && t <= now.getTime();
}

/** The union of what every request matched, in rule order, or the first failure. */
function matchAll(
  policies: CompiledPolicySet,
  requests: readonly CedarRequest[],
):
  | { ok: true; matched: string[]; byRequest: string[][]; errors: RuleError[] }
  | { ok: false; message: string } {
  const matched = new Set<string>();
  const byRequest: string[][] = [];
  const errors = new Map<string, RuleError>();
  for (const request of requests) {
    const result = policies.match(request);
    if (!result.ok) return { ok: false, message: result.message };
    byRequest.push([...result.matched]);
    for (const id of result.matched) matched.add(id);
    for (const e of result.errors) if (!errors.has(e.rule_id)) errors.set(e.rule_id, e);
  }
  const order = new Map(policies.rules.map((r, i) => [r.rule_id, i]));
  const sorted = [...matched].sort((a, b) => (order.get(a) ?? Infinity) - (order.get(b) ?? Infinity));
  return { ok: true, matched: sorted, byRequest, errors: [...errors.values()] };
}

/**
 * What grants compare against. A command grant needs the text of every simple command, read
 * completely, and covers what the commands do, not the files they write: a soft match that a
 * write explains on its own (`npm run build > .env`) keeps it from covering the call. A path
 * grant needs every written path; for a command it covers only what the writes alone explain,
 * so `path:log.txt` never covers `npm publish > log.txt`.
 */
function grantFacts(
  task: TaskFacts,
  call: ToolCall,
  analysis: CallAnalysis,
  policies: CompiledPolicySet,
  soft: readonly RuleMeta[],
  scopes: readonly { scope: Scope }[],
): GrantFacts {
  const shell = analysis.shell;
  const writes = writeTargets(analysis);
  let commands = shell?.complete ? shell.commands.map((c) => c.facts.text) : undefined;
  let paths: string[] | undefined;
  if (!shell) {
    if (writes.length > 0) paths = writes.map((w) => w.path);
    else if (analysis.filePath !== undefined) paths = [normalizePath(analysis.filePath).path];
  } else if (
    writes.length > 0 &&
    soft.length > 0 &&
    scopes.some((g) => g.scope.kind === "path" || g.scope.kind === "command")
  ) {
    const alone = buildCedarRequests(task, call, { ...analysis, units: writes.map((write) => ({ write })) });
    const explained = matchAll(policies, alone);
    const byWrites = explained.ok && explained.errors.length === 0 ? explained.matched : undefined;
    if (byWrites === undefined || soft.some((r) => byWrites.includes(r.rule_id))) commands = undefined;
    if (
      byWrites !== undefined &&
      writes.every((w) => w.resolved) &&
      soft.every((r) => byWrites.includes(r.rule_id))
    )
      paths = writes.map((w) => w.path);
  }
  return {
    toolName: call.tool_name,
    ...(commands ? { commands } : {}),
    ...(paths ? { paths } : {}),
  };
}

/** Why a command could not be read, for an approver looking at an unparsed_command request. */
function unreadReason(soft: readonly RuleMeta[], analysis: CallAnalysis): string {
  const problem = analysis.shell?.problem;
  if (problem === undefined || !soft.some((r) => r.rule_id === "unparsed_command")) return "";
  return ` The command could not be read completely: ${clip(problem)}.`;
}

/** Grants are stored canonical; one that no longer parses is ignored rather than trusted. */
function parsedGrants(task: TaskSnapshot): { scope: Scope; text: string }[] {
  const out: { scope: Scope; text: string }[] = [];
  for (const g of task.grants) {
    const parsed = parseScope(g.scope);
    if (parsed.ok) out.push({ scope: parsed.scope, text: parsed.canonical });
  }
  return out;
}
