import { Duration } from "aws-cdk-lib";
import type { ITable } from "aws-cdk-lib/aws-dynamodb";
import { type IFunction, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { acknowledgeNag } from "./nag";

/** Props of {@link StreamConsumerMapping}. */
export interface StreamConsumerMappingProps {
  /** The function that consumes the stream and answers with a partial batch response. */
  readonly consumer: IFunction;
  /** The table whose stream is read. */
  readonly table: ITable;
  /** Records per invocation. @default 100 */
  readonly batchSize?: number;
  /** How long records gather before an invocation. @default 1 second */
  readonly maxBatchingWindow?: Duration;
  /** Retries of a failing record before it goes to the dead-letter queue. @default 5 */
  readonly retryAttempts?: number;
}

/**
 * Feeds a table's stream to one consumer the way every consumer of the control plane is fed:
 * partial batch responses, bisect on error, bounded retries and age, and an encrypted SQS
 * dead-letter queue that receives the position of what was given up on.
 */
export class StreamConsumerMapping extends Construct {
  /** Receives the positions of records given up on; any message in it alarms. */
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: StreamConsumerMappingProps) {
    super(scope, id);
    this.deadLetterQueue = new Queue(this, "DeadLetters", {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeNag(
      this.deadLetterQueue,
      "SQS3",
      "This queue is the dead-letter queue of the stream mapping; nothing reads it automatically.",
    );
    props.consumer.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: props.batchSize ?? 100,
        maxBatchingWindow: props.maxBatchingWindow ?? Duration.seconds(1),
        reportBatchItemFailures: true,
        bisectBatchOnError: true,
        retryAttempts: props.retryAttempts ?? 5,
        maxRecordAge: Duration.hours(24),
        onFailure: new SqsDlq(this.deadLetterQueue),
      }),
    );
  }
}
