import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDeliveryStore } from "../dynamo/delivery-store";
import { DynamoSettingsStore } from "../dynamo/settings-store";
import { DynamoSlackUserDirectory } from "../dynamo/slack-user-directory";
import type { TableNames } from "../dynamo/tables";
import type { EmfSink } from "../metrics/emf-publisher";
import { slackChannel } from "../slack/outbound/slack-notifications";
import { webApiMessages } from "../slack/outbound/slack-web-api";
import { createSlackClient } from "../slack/slack-client";
import { type WebhookSendOptions, webhookChannel } from "../webhooks/webhook-channel";
import type { WebhookEndpoint } from "../webhooks/webhook-config";
import type { ChannelLogger, NotificationChannel } from "./channel";
import { channelFanout } from "./channel-fanout";
import { emfDeliveryMetrics } from "./delivery-metrics";
import { settingsChannelRouting } from "./settings-routing";

/** Slack as the fan-out needs it, resolved (the token already read from its secret). */
export interface SlackChannelSetup {
  readonly token: string;
  /** The channel id (`C…`) requests are posted to. */
  readonly channel: string;
  /** A Slack-compatible Web API base URL. @default Slack's own */
  readonly apiUrl?: string;
  /** Per-call timeout. @default 5000 ms */
  readonly timeoutMs?: number;
}

/** Everything the channel fan-out is built from, resolved: each channel is one entry here. */
export interface ChannelFanoutSetup {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: Pick<TableNames, "Approvals" | "SlackLinks" | "RepoSettings">;
  /** @default no Slack channel */
  readonly slack?: SlackChannelSetup;
  /** Signed webhook endpoints, their secrets read. @default none */
  readonly webhooks?: readonly WebhookEndpoint[];
  /** @default each option's own default */
  readonly webhookOptions?: WebhookSendOptions;
  /** Where `ChannelDeliveries` EMF lines go. @default not published */
  readonly metricsSink?: EmfSink;
  /** @default silent */
  readonly logger?: ChannelLogger;
}

/** The channel fan-out wired to DynamoDB, `@slack/web-api` and `fetch`: the composition shared by Lambda and local mode. */
export function buildChannelFanout(setup: ChannelFanoutSetup): ReturnType<typeof channelFanout> {
  const { doc, tables, slack, logger } = setup;
  const store = new DynamoDeliveryStore(doc, tables);
  const channels: NotificationChannel[] = [];
  if (slack) {
    const client = createSlackClient({
      token: slack.token,
      ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
      ...(slack.timeoutMs !== undefined ? { timeoutMs: slack.timeoutMs } : {}),
    });
    channels.push(
      slackChannel({
        slack: webApiMessages(client, { channel: slack.channel }),
        store,
        users: new DynamoSlackUserDirectory(doc, tables),
        ...(logger ? { logger } : {}),
      }),
    );
  }
  for (const endpoint of setup.webhooks ?? [])
    channels.push(webhookChannel(endpoint, store, setup.webhookOptions));
  return channelFanout({
    store,
    channels,
    routing: settingsChannelRouting(new DynamoSettingsStore(doc, tables)),
    ...(setup.metricsSink ? { metrics: emfDeliveryMetrics(setup.metricsSink) } : {}),
    ...(logger ? { logger } : {}),
  });
}
