import { createEmfPublisher, type EmfSink } from "../metrics/emf-publisher";
import type { MetricName } from "../metrics/event-metrics";
import type { ChannelKind, DeliveryResult } from "./channel";

/** The metric the fan-out publishes, with dimensions `channel` (a channel kind) and `result`. */
export const CHANNEL_DELIVERIES_METRIC = "ChannelDeliveries" satisfies MetricName;

/** Counts delivery results per channel kind and publishes them once per batch. */
export interface DeliveryMetrics {
  count(channel: ChannelKind, result: DeliveryResult): void;
  /** Publishes what was counted since the last flush; nothing is written for no counts. */
  flush(): void;
}

/**
 * `ChannelDeliveries{channel,result}` as CloudWatch Embedded Metric Format, through the metrics
 * publisher's EMF publisher: same namespace, no default `service` dimension, one document per series.
 */
export function emfDeliveryMetrics(sink: EmfSink): DeliveryMetrics {
  const publisher = createEmfPublisher({ sink });
  const counts = new Map<string, { channel: ChannelKind; result: DeliveryResult; value: number }>();
  return {
    count(channel, result) {
      const key = `${channel}|${result}`;
      const series = counts.get(key) ?? { channel, result, value: 0 };
      series.value += 1;
      counts.set(key, series);
    },
    flush() {
      publisher.publish(
        [...counts.values()].map(({ channel, result, value }) => ({
          name: CHANNEL_DELIVERIES_METRIC,
          unit: "Count" as const,
          value,
          dimensions: { channel, result },
        })),
      );
      counts.clear();
    },
  };
}
