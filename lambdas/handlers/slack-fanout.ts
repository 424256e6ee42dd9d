import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { readConfig } from "../adapters/config";
import { createDynamoClients } from "../adapters/dynamo/clients";
import { stdoutSink } from "../adapters/metrics/emf-publisher";
import { secretsExtensionSecret } from "../adapters/secrets/secrets-extension";
import { buildSlackFanout } from "../adapters/slack/outbound/build-slack-fanout";
import { readSlackFanoutConfig } from "../adapters/slack/outbound/slack-fanout-config";
import type { SecretSource } from "../core/slack/ports";

const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { function: "slack-fanout" } });
const config = readConfig(process.env);
const slack = readSlackFanoutConfig(process.env);
const { doc } = createDynamoClients({
  region: config.region,
  ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
});
const botToken = slack.botToken;
const token: SecretSource =
  botToken.kind === "value"
    ? { get: async () => botToken.token }
    : secretsExtensionSecret({
        secretId: botToken.secretName,
        sessionToken: process.env.AWS_SESSION_TOKEN,
      });

// Built on the first batch, once the token has been read; a failed read fails the batch, which is retried.
let consume: Promise<ReturnType<typeof buildSlackFanout>> | undefined;
const consumer = () => {
  consume ??= token.get().then((value) => {
    if (!value) throw new Error("the Slack bot token is empty");
    return buildSlackFanout({
      doc,
      tables: config.tables,
      token: value,
      channel: slack.channel,
      ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
      metricsSink: stdoutSink,
      logger,
    });
  });
  consume.catch(() => {
    consume = undefined;
  });
  return consume;
};

/** Lambda entry point on the Events stream: posts and updates approval messages, with a partial batch response. */
export const handler = async (
  event: DynamoDBStreamEvent,
  context?: Context,
): Promise<DynamoDBBatchResponse> => {
  if (context) logger.addContext(context);
  return (await consumer())(event, context);
};
