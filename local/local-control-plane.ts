import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { GatesConfig } from "../lambdas/adapters/config";
import { createDynamoClients, createDynamoStreamsClient } from "../lambdas/adapters/dynamo/clients";
import { ensureTables } from "../lambdas/adapters/dynamo/create-tables";
import { tableNames } from "../lambdas/adapters/dynamo/tables";
import { createHttpApp } from "../lambdas/adapters/http/http-app";
import { createEmfPublisher } from "../lambdas/adapters/metrics/emf-publisher";
import { metricsConsumer } from "../lambdas/adapters/metrics/metrics-consumer";
import type { StreamConsumer } from "../lambdas/adapters/stream/stream-consumer";
import { reconcile } from "../lambdas/core/control-plane/approvals";
import type { ControlPlaneDeps } from "../lambdas/core/control-plane/deps";
import { buildControlPlane } from "../lambdas/handlers/control-plane";
import { type ApiServer, startApiServer } from "./api-server";
import { type DynamoDbLocal, startDynamoDbLocal } from "./dynamodb-local";
import { type StreamPoller, startStreamPoller } from "./stream-poller";
import { terminalNotifier } from "./terminal-notifier";

export interface LocalControlPlaneOptions {
  /** Where `.gates/` data lives. @default "<cwd>/.gates" */
  readonly dataDir?: string;
  /** Keep nothing on disk. @default false */
  readonly inMemory?: boolean;
  /** API port; 0 picks a free one. @default 3000 */
  readonly port?: number;
  /** Use this DynamoDB (e.g. the test run's) instead of starting DynamoDB Local. */
  readonly dynamoEndpoint?: string;
  /** Table name prefix. @default "gates-local" */
  readonly tablePrefix?: string;
  /** Where the terminal notifier writes; undefined silences it. */
  readonly notify?: (text: string) => void;
  /** Where the metrics publisher appends its EMF lines; false turns it off. @default "<dataDir>/metrics.log" */
  readonly metricsLog?: string | false;
  /** Extra stream consumers by name, next to the terminal notifier. */
  readonly consumers?: Readonly<Record<string, StreamConsumer>>;
  /** How often the reconciler runs. @default 5000 */
  readonly reconcileEveryMs?: number;
  /** Test seams: clock, sleeper and friends. */
  readonly overrides?: Partial<ControlPlaneDeps>;
  readonly onError?: (message: string, error: unknown) => void;
  /** Skip creating tables and streaming (for a DynamoDB that is known to be down). @default false */
  readonly skipTableSetup?: boolean;
}

export interface LocalControlPlane {
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly config: GatesConfig;
  readonly deps: ControlPlaneDeps;
  readonly poller: StreamPoller;
  stop(): Promise<void>;
}

/**
 * The whole control plane on one machine: DynamoDB Local, tables, the API handlers behind
 * an API Gateway stand-in, the Events-stream poller feeding the consumers, and the
 * reconciler on a timer.
 */
export async function startLocalControlPlane(
  options: LocalControlPlaneOptions = {},
): Promise<LocalControlPlane> {
  const dataDir = options.dataDir ?? join(process.cwd(), ".gates");
  const onError = options.onError ?? ((message, error) => console.error(`${message}: ${describe(error)}`));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((e: unknown) => onError("shutdown step failed", e));
  };

  try {
    let dynamo: DynamoDbLocal | undefined;
    if (!options.dynamoEndpoint) {
      dynamo = await startDynamoDbLocal(options.inMemory ? {} : { dataDir: join(dataDir, "dynamodb") });
      const started = dynamo;
      stops.push(() => started.stop());
    }
    const endpoint = options.dynamoEndpoint ?? (dynamo as DynamoDbLocal).endpoint;
    const config: GatesConfig = {
      region: "local",
      dynamoEndpoint: endpoint,
      tables: tableNames(options.tablePrefix ?? "gates-local"),
      version: "local",
    };
    const { client, doc } = createDynamoClients({ region: config.region, endpoint });
    if (!options.skipTableSetup) await ensureTables(client, config.tables);

    const { deps, info, operations } = buildControlPlane(config, options.overrides, doc);
    const app = createHttpApp({
      operations,
      version: info.version,
      logger: { error: (message, extra) => onError(message, extra) },
    });
    const server: ApiServer = await startApiServer({ app, port: options.port ?? 3000 });
    stops.push(() => server.close());

    const consumers = localConsumers({ ...options, dataDir, baseUrl: server.url });
    const poller = options.skipTableSetup
      ? { stop: async () => undefined, drain: async () => undefined }
      : await startStreamPoller({
          dynamo: client,
          streams: createDynamoStreamsClient({ region: config.region, endpoint }),
          tableName: config.tables.Events,
          consumers,
          dlqPath: join(dataDir, "dlq.jsonl"),
          startAt: options.inMemory || options.dynamoEndpoint ? "TRIM_HORIZON" : "LATEST",
          onError,
        });
    stops.push(() => poller.stop());

    const timer = setInterval(() => {
      reconcile(deps).catch((e: unknown) => onError("reconciler run failed", e));
    }, options.reconcileEveryMs ?? 5000);
    timer.unref();
    stops.push(async () => clearInterval(timer));

    return { url: server.url, dynamoEndpoint: endpoint, config, deps, poller, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The stream consumers of local mode, by name: the metrics publisher, the terminal notifier
 * when there is a terminal, and any extra ones. DLQ replay uses the same set, so a
 * dead-lettered record goes back to the consumer that gave up on it.
 */
export function localConsumers(
  options: Pick<LocalControlPlaneOptions, "notify" | "metricsLog" | "consumers"> & {
    dataDir: string;
    baseUrl: string;
  },
): Record<string, StreamConsumer> {
  const consumers: Record<string, StreamConsumer> = { ...options.consumers };
  const metricsLog = options.metricsLog ?? join(options.dataDir, "metrics.log");
  if (metricsLog) consumers.metrics = localMetricsConsumer(metricsLog);
  if (options.notify)
    consumers.terminal = terminalNotifier({ write: options.notify, baseUrl: options.baseUrl });
  return consumers;
}

/** The same metrics publisher as in Lambda, with its EMF lines appended to a file instead of stdout. */
function localMetricsConsumer(path: string): StreamConsumer {
  let folderMade = false;
  const sink = (line: string) => {
    // Made on the first line, so a plane that never publishes leaves no folder behind.
    if (!folderMade) {
      mkdirSync(dirname(path), { recursive: true });
      folderMade = true;
    }
    appendFileSync(path, `${line}\n`);
  };
  return metricsConsumer({ publisher: createEmfPublisher({ sink }) });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : JSON.stringify(error);
}
