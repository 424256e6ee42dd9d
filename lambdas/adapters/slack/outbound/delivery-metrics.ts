import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { EmfSink } from "../../metrics/emf-publisher";
import { METRICS_NAMESPACE } from "../../metrics/event-metrics";

/** The metric the fan-out publishes, with dimension `result`. */
export const SLACK_DELIVERIES_METRIC = "SlackDeliveries";

/** What happened to one stream event in the fan-out; a closed set so dashboards can name every series. */
export type DeliveryResult =
  | "posted"
  | "updated"
  | "skipped_duplicate"
  | "skipped_missing"
  | "terminal_error"
  | "retryable_error";

/** Every delivery result, for dashboards and tests. */
export const DELIVERY_RESULTS: readonly DeliveryResult[] = [
  "posted",
  "updated",
  "skipped_duplicate",
  "skipped_missing",
  "terminal_error",
  "retryable_error",
];

/** Counts delivery results and publishes them once per batch. */
export interface DeliveryMetrics {
  count(result: DeliveryResult): void;
  /** Publishes what was counted since the last flush; nothing is written for no counts. */
  flush(): void;
}

/**
 * `SlackDeliveries{result}` as CloudWatch Embedded Metric Format through Powertools, in the namespace
 * and style of the metrics publisher: one document per result, no default `service` dimension.
 */
export function emfDeliveryMetrics(sink: EmfSink): DeliveryMetrics {
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: "approval-gates" });
  metrics.clearDefaultDimensions();
  const counts = new Map<DeliveryResult, number>();
  return {
    count(result) {
      counts.set(result, (counts.get(result) ?? 0) + 1);
    },
    flush() {
      for (const [result, value] of counts) {
        try {
          metrics.addDimensions({ result });
          metrics.addMetric(SLACK_DELIVERIES_METRIC, MetricUnit.Count, value);
          sink(JSON.stringify(metrics.serializeMetrics()));
        } finally {
          metrics.clearMetrics();
          metrics.clearDimensions();
        }
      }
      counts.clear();
    },
  };
}
