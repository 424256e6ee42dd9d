/**
 * What each ledger event means for the operational metrics: a pure mapping from one event to metric
 * points with small, closed dimension sets, so dashboards and alarms can name every series up front.
 */
import type { ApprovalStatus, Decision } from "../../../contracts/api";
import type { LedgerEvent } from "../../core/ledger";
import type { DenySource } from "../../core/policy/evaluate";
import { SEVERITIES } from "../../core/policy/rules";
import { kindOfScope, SCOPE_KINDS } from "../../core/scopes";

/** The CloudWatch namespace every metric is published under. */
export const METRICS_NAMESPACE = "ApprovalGates";

/** Every metric of the system: the metrics publisher's, and the channel fan-out's `ChannelDeliveries`. */
export const METRIC_NAMES = [
  "ToolCallsEvaluated",
  "ApprovalsRequested",
  "ApprovalDecisions",
  "ApprovalDecisionLatency",
  "FailClosedDecisions",
  "GateCapExceeded",
  "ApprovalRateLimited",
  "BudgetExhausted",
  "GrantsIssued",
  "PublisherHeartbeat",
  "MetricEmitSkipped",
  "ChannelDeliveries",
] as const;

/** The name of a published metric. */
export type MetricName = (typeof METRIC_NAMES)[number];

/** The CloudWatch units used; latency is the only non-count. */
export type MetricUnitName = "Count" | "Milliseconds";

/** One value to publish: name, unit, value and its dimensions (possibly none). */
export interface MetricPoint {
  readonly name: MetricName;
  readonly unit: MetricUnitName;
  readonly value: number;
  readonly dimensions: Readonly<Record<string, string>>;
}

/** Why an event field could not become a metric; a closed set so `MetricEmitSkipped` stays small. */
export type SkipReason = "missing_field" | "invalid_field" | "unknown_value";

/** A field that produced `MetricEmitSkipped` instead of its metric, for the log line that explains it. */
export interface SkippedField {
  readonly reason: SkipReason;
  readonly event_type: string;
  readonly field: string;
}

/** The metrics of one event, and the fields it could not turn into metrics. */
export interface EventMetrics {
  readonly points: readonly MetricPoint[];
  readonly skipped: readonly SkippedField[];
}

/** The members of a string union, listed once; the record makes the compiler refuse a missing one. */
const membersOf = <T extends string>(members: Record<T, true>): T[] => Object.keys(members) as T[];

/**
 * The closed value sets of the dimensions, each from the type that defines it; anything else is
 * counted as skipped, never published.
 */
export const DIMENSION_VALUES = {
  decision: membersOf<Decision>({ ALLOW: true, DENY: true, REQUIRE_APPROVAL: true }),
  severity: SEVERITIES,
  status: membersOf<Exclude<ApprovalStatus, "PENDING">>({
    APPROVED: true,
    DENIED: true,
    TIMED_OUT: true,
    CANCELLED: true,
  }),
  // `this_call` grants nothing, so it never becomes a GrantsIssued series.
  scope_kind: SCOPE_KINDS.filter((kind) => kind !== "this_call"),
} as const;

/** Deny sources that have a metric of their own, each with its `source` dimension. */
const SOURCE_METRICS: Readonly<Partial<Record<DenySource, MetricName>>> = {
  fail_closed: "FailClosedDecisions",
  cap: "GateCapExceeded",
  rate_limit: "ApprovalRateLimited",
  budget: "BudgetExhausted",
};

/** Upper bound for a plausible decision latency (a year); anything larger is a corrupt field. */
const MAX_LATENCY_MS = 366 * 24 * 3600 * 1000;

/** The heartbeat published once per batch, so a silent publisher is distinguishable from no traffic. */
export const HEARTBEAT: MetricPoint = { name: "PublisherHeartbeat", unit: "Count", value: 1, dimensions: {} };

class Collector {
  readonly points: MetricPoint[] = [];
  readonly skipped: SkippedField[] = [];
  constructor(private readonly eventType: string) {}

  count(name: MetricName, dimensions: Record<string, string> = {}): void {
    this.points.push({ name, unit: "Count", value: 1, dimensions });
  }

  skip(reason: SkipReason, field: string): void {
    this.skipped.push({ reason, event_type: this.eventType, field });
    this.count("MetricEmitSkipped", { reason });
  }

  /** The field's value when it belongs to the closed set, else a skip is recorded. */
  member<T extends string>(data: Readonly<Record<string, unknown>>, field: string, allowed: readonly T[]) {
    const value = data[field];
    if (value === undefined) this.skip("missing_field", field);
    else if (typeof value !== "string" || !(allowed as readonly string[]).includes(value))
      this.skip("unknown_value", field);
    else return value as T;
    return undefined;
  }
}

/**
 * The metric points of one ledger event. Events without operational meaning (task lifecycle, grant
 * revocation) give none. A missing or malformed field never becomes a made-up value: it is counted
 * in `MetricEmitSkipped{reason}` and named in `skipped`.
 */
export function metricsOfEvent(event: LedgerEvent): EventMetrics {
  const out = new Collector(event.type);
  const { data } = event;
  switch (event.type) {
    case "tool_call.evaluated": {
      const decision = out.member(data, "decision", DIMENSION_VALUES.decision);
      if (decision) out.count("ToolCallsEvaluated", { decision });
      const source = data.source;
      const sourceMetric =
        typeof source === "string" && Object.hasOwn(SOURCE_METRICS, source)
          ? SOURCE_METRICS[source as DenySource]
          : undefined;
      if (sourceMetric && typeof source === "string") out.count(sourceMetric, { source });
      break;
    }
    case "approval.requested": {
      // An approval request is the third outcome of an evaluation; counting it keeps ToolCallsEvaluated whole.
      out.count("ToolCallsEvaluated", { decision: "REQUIRE_APPROVAL" });
      const severity = out.member(data, "severity", DIMENSION_VALUES.severity);
      if (severity) out.count("ApprovalsRequested", { severity });
      break;
    }
    case "approval.decided":
      decidedMetrics(data, out);
      break;
    default:
      break;
  }
  return { points: out.points, skipped: out.skipped };
}

function decidedMetrics(data: Readonly<Record<string, unknown>>, out: Collector): void {
  const status = out.member(data, "status", DIMENSION_VALUES.status);
  if (!status) return;
  out.count("ApprovalDecisions", { status });
  const latency = data.latency_ms;
  if (latency === undefined) out.skip("missing_field", "latency_ms");
  else if (
    typeof latency !== "number" ||
    !Number.isFinite(latency) ||
    latency < 0 ||
    latency > MAX_LATENCY_MS
  )
    out.skip("invalid_field", "latency_ms");
  else
    out.points.push({
      name: "ApprovalDecisionLatency",
      unit: "Milliseconds",
      value: latency,
      dimensions: { status },
    });

  const scope = data.scope;
  if (status !== "APPROVED" || scope === undefined || scope === "this_call") return;
  // Read by the scopes module's own forms, so a scope kind added there is counted here, never skipped.
  const kind = typeof scope === "string" ? kindOfScope(scope) : undefined;
  if (kind !== undefined && kind !== "this_call") out.count("GrantsIssued", { scope_kind: kind });
  else out.skip("unknown_value", "scope");
}
