import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { readConfig } from "../adapters/config";
import { createDynamoClients } from "../adapters/dynamo/clients";
import { stdoutSink } from "../adapters/metrics/emf-publisher";
import { secretsExtensionSecret } from "../adapters/secrets/secrets-extension";
import { buildSlackFanout } from "../adapters/slack/outbound/build-slack-fanout";
import {
  readSlackFanoutConfig,
  type SecretSource,
  staticSecret,
} from "../adapters/slack/outbound/slack-fanout-config";

const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { function: "slack-fanout" } });
const config = readConfig(process.env);
const slack = readSlackFanoutConfig(process.env);
const { doc } = createDynamoClients({
  region: config.region,
  ...(config.dynamoEndpoint ? { endpoint: config.dynamoEndpoint } : {}),
});
const token: SecretSource =
  slack.botToken.kind === "value"
    ? staticSecret(slack.botToken.token)
    : secretsExtensionSecret({
        secretId: slack.botToken.secretName,
        sessionToken: process.env.AWS_SESSION_TOKEN,
      });

// Built on the first batch, once the token has been read; a failed read fails the batch, which is retried.
let consume: Promise<ReturnType<typeof buildSlackFanout>> | undefined;
const consumer = () => {
  consume ??= token.read().then((value) =>
    buildSlackFanout({
      doc,
      tables: config.tables,
      token: value,
      channel: slack.channel,
      ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
      metricsSink: stdoutSink,
      logger,
    }),
  );
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
