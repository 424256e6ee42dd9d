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

/** Props of {@link SlackFanout}. */
export interface SlackFanoutProps {
  /** The control plane's tables: the Events stream is read, Approvals and SlackLinks are used. */
  readonly tables: GatesTables;
  /** Secrets Manager name of the bot token (`xoxb-…`). */
  readonly botTokenSecretName: string;
  /** The channel id (`C…`) approval requests are posted to. */
  readonly channel: string;
  /** Extra environment of the function, such as `GATES_VERSION`. @default none */
  readonly environment?: Readonly<Record<string, string>>;
  /** Retries of a record Slack keeps failing before it goes to the dead-letter queue. @default 5 */
  readonly retryAttempts?: number;
  /** X-Ray active tracing and Powertools Tracer in the bundle. @default false */
  readonly tracing?: boolean;
}

/**
 * The Slack fan-out: a function on the Events stream that posts each approval request to a channel
 * and updates the message when it is decided. It is fed like every other consumer (partial batch
 * responses, bisect, bounded retries, an SQS dead-letter queue) and reads the bot token from Secrets
 * Manager with the SDK, kept in memory for a few minutes, which works in every region.
 */
export class SlackFanout extends Construct {
  /** The fan-out function. */
  readonly fn: IFunction;
  /** Receives the positions of records given up on; any message in it should alarm. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: SlackFanoutProps) {
    super(scope, id);
    const gates = new GatesFunction(this, "Function", {
      spec: BACKGROUND_FUNCTIONS.slackFanout,
      tables: props.tables,
      tracing: props.tracing ?? false,
      environment: {
        ...props.environment,
        SLACK_BOT_TOKEN_SECRET_NAME: props.botTokenSecretName,
        SLACK_CHANNEL: props.channel,
      },
    });
    this.fn = gates.fn;
    this.allowMessageBookkeeping(gates, props.tables);
    Secret.fromSecretNameV2(this, "BotToken", props.botTokenSecretName).grantRead(gates.fn);

    const mapping = new StreamConsumerMapping(this, "Stream", {
      consumer: gates.fn,
      table: props.tables.events,
      // Small batches: one slow Slack call holds up only the records behind it in its batch.
      batchSize: 10,
      retryAttempts: props.retryAttempts ?? 5,
    });
    this.deadLetterQueue = mapping.deadLetterQueue;
  }

  /** Reads approvals, records the message on them, and finds linked Slack users: nothing else. */
  private allowMessageBookkeeping(gates: GatesFunction, tables: GatesTables): void {
    const approvals = tables.byName.Approvals.tableArn;
    const links = tables.byName.SlackLinks.tableArn;
    gates.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"],
        resources: [approvals],
      }),
    );
    gates.role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ["dynamodb:Query"],
        resources: [`${links}/index/${SLACK_USER_INDEX}`],
      }),
    );
  }
}
