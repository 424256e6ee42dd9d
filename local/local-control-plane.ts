import { appendFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { buildChannelFanout } from "../lambdas/adapters/channels/build-channel-fanout";
import type { GatesConfig } from "../lambdas/adapters/config";
import { createDynamoClients, createDynamoStreamsClient } from "../lambdas/adapters/dynamo/clients";
import { ensureTables } from "../lambdas/adapters/dynamo/create-tables";
import { type TableNames, tableNames } from "../lambdas/adapters/dynamo/tables";
import { createHttpApp } from "../lambdas/adapters/http/http-app";
import { createEmfPublisher } from "../lambdas/adapters/metrics/emf-publisher";
import { metricsConsumer } from "../lambdas/adapters/metrics/metrics-consumer";
import type { SlackInboundConfig } from "../lambdas/adapters/slack/inbound/slack-inbound-config";
import { readSlackEnv } from "../lambdas/adapters/slack/slack-env";
import type { StreamConsumer } from "../lambdas/adapters/stream/stream-consumer";
import type { WebhookSendOptions } from "../lambdas/adapters/webhooks/webhook-channel";
import { readWebhookConfig, type WebhookEndpoint } from "../lambdas/adapters/webhooks/webhook-config";
import { reconcile } from "../lambdas/core/control-plane/approvals";
import { DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN } from "../lambdas/core/control-plane/fresh-sign-in";
import { sweepExpiredLocks } from "../lambdas/core/control-plane/locks";
import type { DefaultSettingsProfile } from "../lambdas/core/governance/settings";
import type { SlackInboundDeps } from "../lambdas/core/slack/ports";
import { type AllDeps, buildControlPlane } from "../lambdas/handlers/control-plane";
import { type ApiServer, startApiServer } from "./api-server";
import { localConsoleSite } from "./console-site";
import { replayDlq } from "./dlq";
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
  readonly overrides?: Partial<AllDeps>;
  /**
   * Where Slack's signing secret (and bot token, for the modal) come from, for the buttons and
   * `/gates` (see `readSlackInboundConfig`). @default none: Slack's requests are refused
   */
  readonly slackInboundConfig?: SlackInboundConfig;
  /** Slack seams: a signing secret, a fake response poster or modal opener. */
  readonly slackInbound?: Partial<SlackInboundDeps>;
  readonly onError?: (message: string, error: unknown) => void;
  /** Skip creating tables and streaming (for a DynamoDB that is known to be down). @default false */
  readonly skipTableSetup?: boolean;
  /** Post approval requests to a Slack channel (see {@link localSlackFromEnv}). @default no Slack messages */
  readonly slackFanout?: LocalSlackSettings;
  /** Send approval requests to signed webhooks (see {@link localWebhooksFromEnv}). @default none */
  readonly webhooks?: readonly WebhookEndpoint[];
  /** How webhooks are sent: timeouts, attempts, backoff. @default the channel's defaults */
  readonly webhookOptions?: WebhookSendOptions;
  /**
   * The settings of repos no admin published settings for.
   * @default "local": the owner an agent names approves, so the README walkthrough works
   */
  readonly defaultSettings?: DefaultSettingsProfile;
  /**
   * How long the process keeps its copy of the locks; what this process itself changes it sees at once.
   * @default 1000
   */
  readonly lockCacheMs?: number;
  /** How old, in minutes, the sign-in behind a critical approval may be. @default 10 */
  readonly criticalSignInMaxAgeMin?: number;
  /** Serve the web console at the API's origin. @default true */
  readonly console?: boolean;
}

/** What local mode needs to post approval requests to Slack. */
export interface LocalSlackSettings {
  /** The bot token, `xoxb-…`. */
  readonly botToken: string;
  /** The channel id (`C…`) requests are posted to. */
  readonly channel: string;
  /** A Slack-compatible Web API base URL. @default Slack's own */
  readonly apiUrl?: string;
  /** Per-call timeout. @default 5000 ms */
  readonly timeoutMs?: number;
}

/**
 * The Slack settings of local mode from `SLACK_BOT_TOKEN`, `SLACK_CHANNEL` and `SLACK_API_URL`;
 * undefined (Slack off) unless both the token and the channel are set.
 */
export function localSlackFromEnv(
  env: Readonly<Record<string, string | undefined>>,
): LocalSlackSettings | undefined {
  const { botToken, channel, apiUrl } = readSlackEnv(env);
  if (!botToken || !channel) return undefined;
  return { botToken, channel, ...(apiUrl ? { apiUrl } : {}) };
}

/**
 * The webhook endpoints of local mode from `GATES_WEBHOOKS` (a JSON array of `{id, url, secret,
 * format?}`); local mode has no secret store, so each endpoint carries its secret itself.
 *
 * @throws naming the variable, when it is malformed or an endpoint names a secret store instead
 */
export function localWebhooksFromEnv(env: Readonly<Record<string, string | undefined>>): WebhookEndpoint[] {
  return readWebhookConfig(env).map((endpoint) => {
    if (endpoint.secret === undefined) {
      throw new Error(
        `GATES_WEBHOOKS: endpoint "${endpoint.id}" names secret_name, which needs AWS; give its secret instead.`,
      );
    }
    return { id: endpoint.id, url: endpoint.url, secret: endpoint.secret, format: endpoint.format ?? "json" };
  });
}

export interface LocalControlPlane {
  readonly url: string;
  readonly dynamoEndpoint: string;
  readonly config: GatesConfig;
  readonly deps: AllDeps;
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
    const criticalSignInMaxAgeMin = options.criticalSignInMaxAgeMin ?? DEFAULT_CRITICAL_SIGN_IN_MAX_AGE_MIN;
    const config: GatesConfig = {
      region: "local",
      dynamoEndpoint: endpoint,
      tables: tableNames(options.tablePrefix ?? "gates-local"),
      version: "local",
      defaultSettings: options.defaultSettings ?? "local",
      ...(options.lockCacheMs !== undefined ? { lockCacheMs: options.lockCacheMs } : {}),
      criticalSignInMaxAgeMin,
    };
    const { client, doc } = createDynamoClients({ region: config.region, endpoint });
    if (!options.skipTableSetup) await ensureTables(client, config.tables);

    const { deps, info, operations } = buildControlPlane(
      config,
      options.slackInboundConfig ?? {},
      options.overrides,
      doc,
      options.slackInbound,
    );
    const app = createHttpApp({
      operations,
      version: info.version,
      logger: { error: (message, extra) => onError(message, extra) },
    });
    const server: ApiServer = await startApiServer({
      app,
      port: options.port ?? 3000,
      clock: () => deps.clock.now(),
      ...(options.console === false ? {} : { site: localConsoleSite({ criticalSignInMaxAgeMin }) }),
    });
    stops.push(() => server.close());

    const consumers = localConsumers({
      ...options,
      dataDir,
      baseUrl: server.url,
      dynamo: { doc, tables: config.tables },
      onError,
    });
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
    if (!options.skipTableSetup) {
      // Records given up on in an earlier run (e.g. during a Slack outage) get one more delivery,
      // now that every consumer, the Slack fan-out with its tables included, is running.
      replayDlq(join(dataDir, "dlq.jsonl"), consumers)
        .then(({ delivered, kept }) => {
          if (delivered + kept > 0)
            onError(`dead letters replayed: ${delivered} delivered, ${kept} kept`, undefined);
        })
        .catch((e: unknown) => onError("dead-letter replay failed", e));
    }

    const timer = setInterval(() => {
      reconcile(deps).catch((e: unknown) => onError("reconciler run failed", e));
      sweepExpiredLocks(deps).catch((e: unknown) => onError("lock expiry run failed", e));
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
 * when there is a terminal, the channel fan-out when Slack or a webhook is configured (and tables
 * are at hand), and any extra ones. DLQ replay uses the same set, so a dead-lettered record goes
 * back to the consumer that gave up on it.
 */
export function localConsumers(
  options: Pick<
    LocalControlPlaneOptions,
    "notify" | "metricsLog" | "consumers" | "slackFanout" | "webhooks" | "webhookOptions" | "onError"
  > & {
    dataDir: string;
    baseUrl: string;
    /** The tables the channel fan-out reads and records deliveries in. @default no channel fan-out */
    dynamo?: { readonly doc: DynamoDBDocumentClient; readonly tables: TableNames };
  },
): Record<string, StreamConsumer> {
  const consumers: Record<string, StreamConsumer> = { ...options.consumers };
  const metricsLog = options.metricsLog ?? join(options.dataDir, "metrics.log");
  const sink = metricsLog ? fileSink(metricsLog) : undefined;
  if (sink) consumers.metrics = metricsConsumer({ publisher: createEmfPublisher({ sink }) });
  if (options.notify)
    consumers.terminal = terminalNotifier({ write: options.notify, baseUrl: options.baseUrl });
  const slack = options.slackFanout;
  const webhooks = options.webhooks ?? [];
  if ((slack || webhooks.length > 0) && options.dynamo) {
    const report = options.onError;
    consumers.channels = buildChannelFanout({
      doc: options.dynamo.doc,
      tables: options.dynamo.tables,
      ...(slack
        ? {
            slack: {
              token: slack.botToken,
              channel: slack.channel,
              ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
              ...(slack.timeoutMs !== undefined ? { timeoutMs: slack.timeoutMs } : {}),
            },
          }
        : {}),
      webhooks,
      ...(options.webhookOptions ? { webhookOptions: options.webhookOptions } : {}),
      ...(sink ? { metricsSink: sink } : {}),
      // Only delivery problems are worth a line on the console; successes show in the channels themselves.
      ...(report
        ? {
            logger: {
              info: () => undefined,
              warn: (m: string, extra: Record<string, unknown>) => report(`channels: ${m}`, extra),
              error: (m: string, extra: Record<string, unknown>) => report(`channels: ${m}`, extra),
            },
          }
        : {}),
    });
  }
  return consumers;
}

/** EMF lines appended to a file instead of stdout, as the Lambda publishers would print them. */
function fileSink(path: string): (line: string) => void {
  let folderMade = false;
  return (line: string) => {
    // Made on the first line, so a plane that never publishes leaves no folder behind.
    if (!folderMade) {
      mkdirSync(dirname(path), { recursive: true });
      folderMade = true;
    }
    appendFileSync(path, `${line}\n`);
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : JSON.stringify(error);
}
