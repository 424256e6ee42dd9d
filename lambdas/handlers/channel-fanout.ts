import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { buildChannelFanout } from "../adapters/channels/build-channel-fanout";
import { readChannelFanoutConfig } from "../adapters/channels/channel-fanout-config";
import { stdoutSink } from "../adapters/metrics/emf-publisher";
import type { WebhookEndpoint } from "../adapters/webhooks/webhook-config";
import type { SecretSource } from "../core/slack/ports";
import { dynamoDocument, namedSecrets } from "./control-plane-deps";
import { traced } from "./tracing";

const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { function: "channel-fanout" } });
// The one read of the environment; a bad value stops the container at start-up.
const { gates: config, slack, webhooks } = readChannelFanoutConfig(process.env);
const doc = dynamoDocument(config);
const secretNamed = namedSecrets(config.region);
const secret = (value: string | undefined, name: string | undefined): SecretSource =>
  value !== undefined ? { get: async () => value } : secretNamed(name ?? "");
const botToken = slack?.botToken;
const slackToken =
  botToken === undefined
    ? undefined
    : secret(
        botToken.kind === "value" ? botToken.token : undefined,
        botToken.kind === "secrets-manager" ? botToken.secretName : undefined,
      );
const webhookSecrets = webhooks.map((endpoint) => ({
  endpoint,
  source: secret(endpoint.secret, endpoint.secret_name),
}));

async function required(source: SecretSource, what: string): Promise<string> {
  const value = await source.get();
  if (!value) throw new Error(`${what} is empty`);
  return value;
}

// Rebuilt whenever a secret read (kept a few minutes) changes, so a rotated token or webhook secret
// is picked up without a cold start; a failed read fails the batch, which the stream retries.
let built: { readonly key: string; readonly consume: ReturnType<typeof buildChannelFanout> } | undefined;
async function consumer(): Promise<ReturnType<typeof buildChannelFanout>> {
  const token = slack && slackToken ? await required(slackToken, "the Slack bot token") : undefined;
  const endpoints: WebhookEndpoint[] = [];
  for (const { endpoint, source } of webhookSecrets) {
    endpoints.push({
      id: endpoint.id,
      url: endpoint.url,
      secret: await required(source, `the secret of webhook ${endpoint.id}`),
      format: endpoint.format ?? "json",
    });
  }
  const key = JSON.stringify([token, endpoints.map((e) => e.secret)]);
  if (built?.key !== key) {
    built = {
      key,
      consume: buildChannelFanout({
        doc,
        tables: config.tables,
        ...(slack && token
          ? { slack: { token, channel: slack.channel, ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}) } }
          : {}),
        webhooks: endpoints,
        webhookOptions: { userAgent: `approval-gates/${config.version}` },
        metricsSink: stdoutSink,
        logger,
      }),
    };
  }
  return built.consume;
}

/** Lambda entry point on the Events stream: delivers request events to every channel, with a partial batch response. */
export const handler = traced(
  "channel-fanout",
  async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    return (await consumer())(event);
  },
);
