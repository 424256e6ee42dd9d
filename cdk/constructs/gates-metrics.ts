import { Duration } from "aws-cdk-lib";
import { MathExpression, Metric } from "aws-cdk-lib/aws-cloudwatch";
import {
  DIMENSION_VALUES,
  METRICS_NAMESPACE,
  type MetricName,
} from "../../lambdas/adapters/metrics/event-metrics";

/**
 * The publisher's metrics as CloudWatch metric objects, with the same names and dimension values the
 * publisher emits, so the dashboard and alarms cannot drift from it.
 */
export function gatesMetric(
  name: MetricName,
  dimensions: Record<string, string> = {},
  statistic = "Sum",
  period: Duration = Duration.minutes(5),
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: dimensions,
    statistic,
    period,
  });
}

/** Evaluations by outcome, one series each. */
export function decisionsByOutcome(): Metric[] {
  return DIMENSION_VALUES.decision.map((decision) =>
    gatesMetric("ToolCallsEvaluated", { decision }).with({ label: decision }),
  );
}

/** Approval requests over every severity, as one series. */
export function approvalsRequested(period: Duration = Duration.minutes(5)): MathExpression {
  return sumOf("ApprovalsRequested", "severity", DIMENSION_VALUES.severity, "requested", period, "r");
}

/** Approval decisions over every status, as one series. */
export function approvalsDecided(period: Duration = Duration.minutes(5)): MathExpression {
  return sumOf("ApprovalDecisions", "status", DIMENSION_VALUES.status, "decided", period, "d");
}

/**
 * The share of decisions that were timeouts, in percent; 0 rather than a division by zero when
 * nothing was decided, and 0 below `minDecisions` so a single timeout at night does not read as 100 %.
 */
export function timeoutRatePercent(period: Duration, minDecisions = 1): MathExpression {
  const usingMetrics: Record<string, Metric> = {};
  DIMENSION_VALUES.status.forEach((status, i) => {
    usingMetrics[`s${i}`] = gatesMetric("ApprovalDecisions", { status }, "Sum", period);
  });
  const timedOut = `FILL(s${DIMENSION_VALUES.status.indexOf("TIMED_OUT")}, 0)`;
  const total = `(${Object.keys(usingMetrics)
    .map((id) => `FILL(${id}, 0)`)
    .join(" + ")})`;
  return new MathExpression({
    expression: `IF(${total} >= ${minDecisions}, 100 * ${timedOut} / ${total}, 0)`,
    usingMetrics,
    label: "timeout rate %",
    period,
  });
}

function sumOf(
  name: MetricName,
  dimension: string,
  values: readonly string[],
  label: string,
  period: Duration,
  idPrefix: string,
): MathExpression {
  // Ids are per expression but must not clash between expressions sharing a graph.
  const usingMetrics = Object.fromEntries(
    values.map((value, i) => [`${idPrefix}${i}`, gatesMetric(name, { [dimension]: value }, "Sum", period)]),
  );
  // FILL keeps a quiet series from blanking the sum.
  return new MathExpression({
    expression: Object.keys(usingMetrics)
      .map((id) => `FILL(${id}, 0)`)
      .join(" + "),
    usingMetrics,
    label,
    period,
  });
}
