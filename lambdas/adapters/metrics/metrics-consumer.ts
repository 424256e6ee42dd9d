import type { Context } from "aws-lambda";
import { perEventConsumer, type StreamConsumer } from "../stream/stream-consumer";
import type { EmfPublisher } from "./emf-publisher";
import { HEARTBEAT, type MetricPoint, metricsOfEvent, type SkippedField } from "./event-metrics";

/** The logging the consumer needs; Powertools' Logger fits. */
export interface MetricsConsumerLogger {
  warn(message: string, extra: Record<string, unknown>): void;
}

/** Options of {@link metricsConsumer}. */
export interface MetricsConsumerOptions {
  readonly publisher: EmfPublisher;
  /** Told about fields counted in `MetricEmitSkipped`, so an operator can find the event. @default silent */
  readonly logger?: MetricsConsumerLogger;
}

/**
 * The metrics publisher as a stream consumer: every record's ledger event becomes metric points, and
 * the batch's points plus one heartbeat are published once the batch is read. A record whose image is
 * not a ledger event fails alone (partial batch response) and publishes nothing, so a retry cannot
 * double count it; records after it may be redelivered and counted again, which at-least-once
 * metrics accept.
 */
export function metricsConsumer(
  options: MetricsConsumerOptions,
): (event: Parameters<StreamConsumer>[0], context?: Context) => ReturnType<StreamConsumer> {
  return async (event, _context) => {
    const points: MetricPoint[] = [];
    const skipped: SkippedField[] = [];
    const consume = perEventConsumer(async (ledgerEvent) => {
      const metrics = metricsOfEvent(ledgerEvent);
      points.push(...metrics.points);
      skipped.push(...metrics.skipped);
    });
    try {
      // A batch where every record fails is reported record by record, like any other, rather than thrown.
      return await consume(event);
    } finally {
      options.publisher.publish([...points, HEARTBEAT]);
      for (const field of skipped) options.logger?.warn("metric skipped", { ...field });
    }
  };
}
