import { Effect, PolicyStatement } from "aws-cdk-lib/aws-iam";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { Queue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { SLACK_USER_INDEX } from "../../lambdas/adapters/dynamo/tables";
import { BACKGROUND_FUNCTIONS } from "../function-catalog";
import { GatesFunction } from "./gates-function";
import { StreamConsumerMapping } from "./stream-consumer";
import type { GatesTables } from "./tables";

/** A signed webhook endpoint; its secret is read from Secrets Manager at run time. */
export interface WebhookEndpointProps {
  /** Names the endpoint in logs and in a repo's `notify_channels` (`webhook:<id>`). */
  readonly id: string;
  /** An https URL; redirects are never followed. */
  readonly url: string;
  /** Secrets Manager name of the signing secret. */
  readonly secretName: string;
  /** @default "json" */
  readonly format?: "json" | "adaptive-card";
}

/** Props of {@link ChannelFanout}. */
export interface ChannelFanoutProps {
  /** The control plane's tables: the Events stream is read, Approvals, SlackLinks and RepoSettings are used. */
  readonly tables: GatesTables;
  /** Slack as a channel. @default no Slack messages */
  readonly slack?: {
    /** Secrets Manager name of the bot token (`xoxb-…`). */
    readonly botTokenSecretName: string;
    /** The channel id (`C…`) approval requests are posted to. */
    readonly channel: string;
  };
  /** Signed webhook endpoints. @default none */
  readonly webhooks?: readonly WebhookEndpointProps[];
  /** Extra environment of the function, such as `GATES_VERSION`. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Retries of a record a channel keeps failing before it goes to the dead-letter queue. @default 5 */
  readonly retryAttempts?: number;
  /** X-Ray active tracing and Powertools Tracer in the bundle. @default false */
  readonly tracing?: boolean;
}

/**
 * The channel fan-out: the one function on the Events stream that delivers each approval request
 * and its updates to every configured channel (Slack, signed webhooks). It is fed like every other
 * consumer (partial batch responses, bisect, bounded retries, an SQS dead-letter queue) and reads
 * its secrets from Secrets Manager with the SDK, kept in memory for a few minutes.
 */
export class ChannelFanout extends Construct {
  /** The fan-out function. */
  readonly fn: IFunction;
  /** Receives the positions of records given up on; any message in it should alarm. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: ChannelFanoutProps) {
    super(scope, id);
    const webhooks = props.webhooks ?? [];
    const gates = new GatesFunction(this, "Function", {
      spec: BACKGROUND_FUNCTIONS.channelFanout,
      tables: props.tables,
      tracing: props.tracing ?? false,
      environment: {
        ...props.environment,
        ...(props.slack
          ? {
              SLACK_BOT_TOKEN_SECRET_NAME: props.slack.botTokenSecretName,
              SLACK_CHANNEL: props.slack.channel,
            }
          : {}),
        ...(webhooks.length > 0
          ? {
              GATES_WEBHOOKS: JSON.stringify(
                webhooks.map((w) => ({
                  id: w.id,
                  url: w.url,
                  secret_name: w.secretName,
                  format: w.format ?? "json",
                })),
              ),
            }
          : {}),
      },
    });
    this.fn = gates.fn;
    this.allowDeliveryBookkeeping(gates, props.tables);
    if (props.slack)
      Secret.fromSecretNameV2(this, "BotToken", props.slack.botTokenSecretName).grantRead(gates.fn);
    for (const w of webhooks)
      Secret.fromSecretNameV2(this, `WebhookSecret-${w.id}`, w.secretName).grantRead(gates.fn);

    const mapping = new StreamConsumerMapping(this, "Stream", {
      consumer: gates.fn,
      table: props.tables.events,
      // Small batches: a channel that stops for the batch fails only the records behind it in the batch.
      batchSize: 10,
      retryAttempts: props.retryAttempts ?? 5,
    });
    this.deadLetterQueue = mapping.deadLetterQueue;
  }

  /**
   * Reads requests and records each channel's delivery on them, finds linked Slack users, and reads
   * repo settings for `notify_channels`: nothing else.
   */
  private allowDeliveryBookkeeping(gates: GatesFunction, tables: GatesTables): void {
    gates.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        resources: [tables.byName.Approvals.tableArn],
      }),
    );
    gates.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["dynamodb:Query"],
        resources: [
          `${tables.byName.SlackLinks.tableArn}/index/${SLACK_USER_INDEX}`,
          tables.byName.RepoSettings.tableArn,
        ],
      }),
    );
  }
}
