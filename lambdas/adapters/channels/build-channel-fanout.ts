import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoSlackMessageStore } from "../../dynamo/slack-message-store";
import type { TableNames } from "../../dynamo/tables";
import type { EmfSink } from "../../metrics/emf-publisher";
import { emfDeliveryMetrics } from "./delivery-metrics";
import { createSlackClient, webApiChannel } from "./slack-channel";
import { type SlackFanoutLogger, slackFanoutConsumer } from "./slack-fanout";

/** Everything the Slack fan-out is built from, resolved (the token already read from its secret). */
export interface SlackFanoutSetup {
  readonly doc: DynamoDBDocumentClient;
  readonly tables: Pick<TableNames, "Approvals" | "SlackLinks">;
  readonly token: string;
  /** The channel id (`C…`) requests are posted to. */
  readonly channel: string;
  /** A Slack-compatible Web API base URL. @default Slack's own */
  readonly apiUrl?: string;
  /** Where `SlackDeliveries` EMF lines go. @default not published */
  readonly metricsSink?: EmfSink;
  /** @default silent */
  readonly logger?: SlackFanoutLogger;
}

/** The Slack fan-out consumer wired to DynamoDB and `@slack/web-api`: the composition shared by Lambda and local mode. */
export function buildSlackFanout(setup: SlackFanoutSetup): ReturnType<typeof slackFanoutConsumer> {
  const client = createSlackClient({ token: setup.token, ...(setup.apiUrl ? { apiUrl: setup.apiUrl } : {}) });
  return slackFanoutConsumer({
    store: new DynamoSlackMessageStore(setup.doc, setup.tables),
    slack: webApiChannel(client, { channel: setup.channel }),
    ...(setup.metricsSink ? { metrics: emfDeliveryMetrics(setup.metricsSink) } : {}),
    ...(setup.logger ? { logger: setup.logger } : {}),
  });
}
