import { createEmfPublisher, type EmfSink } from "../../metrics/emf-publisher";

/** The metric the fan-out publishes, with dimension `result`. */
export const SLACK_DELIVERIES_METRIC = "SlackDeliveries" as const;

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
 * `SlackDeliveries{result}` as CloudWatch Embedded Metric Format, through the metrics publisher's EMF
 * publisher: same namespace, no default `service` dimension, one document per result.
 */
export function emfDeliveryMetrics(sink: EmfSink): DeliveryMetrics {
  const publisher = createEmfPublisher({ sink });
  const counts = new Map<DeliveryResult, number>();
  return {
    count(result) {
      counts.set(result, (counts.get(result) ?? 0) + 1);
    },
    flush() {
      publisher.publish(
        [...counts].map(([result, value]) => ({
          name: SLACK_DELIVERIES_METRIC,
          unit: "Count" as const,
          value,
          dimensions: { result },
        })),
      );
      counts.clear();
    },
  };
}
