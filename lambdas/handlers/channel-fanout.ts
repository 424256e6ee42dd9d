import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { readConfig } from "../adapters/config";
import { stdoutSink } from "../adapters/metrics/emf-publisher";
import { buildSlackFanout } from "../adapters/slack/outbound/build-slack-fanout";
import { readSlackFanoutConfig } from "../adapters/slack/outbound/slack-fanout-config";
import type { SecretSource } from "../core/slack/ports";
import { dynamoDocument, namedSecrets } from "./control-plane-deps";
import { traced } from "./tracing";

const logger = new Logger({ serviceName: "approval-gates", persistentKeys: { function: "slack-fanout" } });
const config = readConfig(process.env);
const slack = readSlackFanoutConfig(process.env);
const doc = dynamoDocument(config);
const botToken = slack.botToken;
const token: SecretSource =
  botToken.kind === "value"
    ? { get: async () => botToken.token }
    : namedSecrets(config.region)(botToken.secretName);

// Rebuilt whenever the token read (kept a few minutes) changes, so a rotated token is picked up
// without a cold start; a failed read fails the batch, which the stream retries.
let built: { readonly token: string; readonly consume: ReturnType<typeof buildSlackFanout> } | undefined;
async function consumer(): Promise<ReturnType<typeof buildSlackFanout>> {
  const value = await token.get();
  if (!value) throw new Error("the Slack bot token is empty");
  if (built?.token !== value) {
    built = {
      token: value,
      consume: buildSlackFanout({
        doc,
        tables: config.tables,
        token: value,
        channel: slack.channel,
        ...(slack.apiUrl ? { apiUrl: slack.apiUrl } : {}),
        metricsSink: stdoutSink,
        logger,
      }),
    };
  }
  return built.consume;
}

/** Lambda entry point on the Events stream: posts and updates approval messages, with a partial batch response. */
export const handler = traced(
  "slack-fanout",
  async (event: DynamoDBStreamEvent, context?: Context): Promise<DynamoDBBatchResponse> => {
    if (context) logger.addContext(context);
    return (await consumer())(event, context);
  },
);
