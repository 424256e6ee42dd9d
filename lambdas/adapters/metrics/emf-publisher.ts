import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import { METRICS_NAMESPACE, type MetricPoint } from "./event-metrics";

/** Where one EMF JSON document goes: stdout in Lambda (CloudWatch Logs extracts it), a file locally. */
export type EmfSink = (line: string) => void;

/** Publishes metric points as CloudWatch Embedded Metric Format lines. */
export interface EmfPublisher {
  /** Writes the points as one EMF document per dimension set; nothing is written for no points. */
  publish(points: readonly MetricPoint[]): void;
}

/** Options of {@link createEmfPublisher}. */
export interface EmfPublisherOptions {
  /** Receives each EMF document as one JSON line, without a trailing newline. */
  readonly sink: EmfSink;
  /** The Powertools service name, kept out of the dimensions so every series has exactly the documented ones. @default "approval-gates" */
  readonly serviceName?: string;
}

/** Writes a line to stdout the way Lambda's log capture expects EMF. */
export const stdoutSink: EmfSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * An EMF publisher on Powertools Metrics. Powertools always prints to its own stdout console, so the
 * document is serialized here and handed to the sink, which is what lets local mode write a file.
 */
export function createEmfPublisher(options: EmfPublisherOptions): EmfPublisher {
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: options.serviceName ?? "approval-gates",
  });
  // Powertools adds `service` as a default dimension; the alarms and dashboard address the documented sets only.
  metrics.clearDefaultDimensions();
  return {
    publish(points) {
      for (const group of byDimensionSet(points)) {
        for (const document of documentsOf(group.points)) {
          try {
            metrics.addDimensions(group.dimensions);
            for (const point of document) metrics.addMetric(point.name, MetricUnit[point.unit], point.value);
            options.sink(JSON.stringify(metrics.serializeMetrics()));
          } finally {
            metrics.clearMetrics();
            metrics.clearDimensions();
          }
        }
      }
    },
  };
}

interface DimensionGroup {
  readonly dimensions: Readonly<Record<string, string>>;
  readonly points: MetricPoint[];
}

/** Points sharing the same dimension names and values share one EMF document. */
function byDimensionSet(points: readonly MetricPoint[]): DimensionGroup[] {
  const groups = new Map<string, DimensionGroup>();
  for (const point of points) {
    const key = JSON.stringify(
      Object.entries(point.dimensions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
    );
    const group = groups.get(key);
    if (group) group.points.push(point);
    else groups.set(key, { dimensions: point.dimensions, points: [point] });
  }
  return [...groups.values()];
}

/**
 * Powertools flushes to its own stdout on the 100th value of one metric, which would bypass the sink and
 * drop the dimensions; counts are therefore summed (CloudWatch sums them anyway) and the remaining
 * values, latencies, are split into documents of fewer than 100 values each.
 */
const MAX_VALUES_PER_DOCUMENT = 99;

function documentsOf(points: readonly MetricPoint[]): MetricPoint[][] {
  const counts = new Map<string, MetricPoint>();
  const samples: MetricPoint[] = [];
  for (const point of points) {
    if (point.unit !== "Count") {
      samples.push(point);
      continue;
    }
    const sum = counts.get(point.name);
    counts.set(point.name, sum ? { ...sum, value: sum.value + point.value } : point);
  }
  const documents: MetricPoint[][] = [[...counts.values()]];
  const perName = new Map<string, number>();
  for (const point of samples) {
    const seen = perName.get(point.name) ?? 0;
    const index = Math.floor(seen / MAX_VALUES_PER_DOCUMENT);
    perName.set(point.name, seen + 1);
    const document = documents[index] ?? [];
    documents[index] = document;
    document.push(point);
  }
  return documents.filter((document) => document.length > 0);
}
