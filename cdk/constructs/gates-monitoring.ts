import { Duration } from "aws-cdk-lib";
import type { RestApi } from "aws-cdk-lib/aws-apigateway";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IAlarm,
  MathExpression,
  type Metric,
  SingleValueWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { METRICS_NAMESPACE, type MetricName } from "../../lambdas/adapters/metrics/event-metrics";
import {
  approvalsDecided,
  approvalsRequested,
  decisionsByOutcome,
  gatesMetric,
  timeoutRatePercent,
} from "./gates-metrics";

/** The fan-out's metric, as the metrics module names it. */
const CHANNEL_DELIVERIES: MetricName = "ChannelDeliveries";
/** Props of {@link GatesMonitoring}. */
export interface GatesMonitoringProps {
  readonly api: RestApi;
  /** Every function, by a short name shown on the dashboard. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The reconciler, whose errors alarm. */
  readonly reconciler: IFunction;
  /** The functions that decide (evaluate, approve, Slack's buttons) and the long-poll, by name; any throttle alarms. */
  readonly decisionFunctions: Readonly<Record<string, IFunction>>;
  /** The Events-stream consumers by name; falling minutes behind alarms. */
  readonly streamConsumers: Readonly<Record<string, IFunction>>;
  /** The Events table, whose writes the metrics publisher's heartbeats must follow. */
  readonly eventsTable: ITableV2;
  /** Dead-letter queues by name; any message in one alarms. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Subscribed to the alarm topic when given. @default no subscription: subscribe later */
  readonly alarmEmail?: string;
  /** @default "ApprovalGates" */
  readonly dashboardName?: string;
}

const FIVE_MINUTES = Duration.minutes(5);
/** How far behind the Events stream a consumer may fall before it alarms. */
const ITERATOR_AGE_ALARM_MS = 5 * 60 * 1000;

/**
 * The operator's view: the `ApprovalGates` dashboard and the alarms, which notify an encrypted SNS
 * topic. Every ratio is a math expression that reads 0, not an error, when there is no traffic.
 */
export class GatesMonitoring extends Construct {
  /** The `ApprovalGates` dashboard. */
  readonly dashboard: Dashboard;
  /** Where every alarm notifies. */
  readonly topic: Topic;
  /** Every alarm, in creation order. */
  readonly alarms: IAlarm[] = [];

  constructor(scope: Construct, id: string, props: GatesMonitoringProps) {
    super(scope, id);
    // A key of our own: CloudWatch cannot publish to a topic under the AWS-managed SNS key.
    const key = new Key(this, "TopicKey", {
      enableKeyRotation: true,
      description: "Approval Gates alarm topic",
    });
    key.grant(new ServicePrincipal("cloudwatch.amazonaws.com"), "kms:Decrypt", "kms:GenerateDataKey*");
    this.topic = new Topic(this, "Alarms", {
      displayName: "Approval Gates alarms",
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail) this.topic.addSubscription(new EmailSubscription(props.alarmEmail));

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: props.dashboardName ?? "ApprovalGates",
    });
    this.addDashboardWidgets(props);
    this.addAlarms(props);
  }

  private addDashboardWidgets(props: GatesMonitoringProps): void {
    const { api } = props;
    const latency = (status: string) =>
      ["p50", "p90", "p99"].map((stat) =>
        gatesMetric("ApprovalDecisionLatency", { status }, stat).with({ label: `${status} ${stat}` }),
      );
    const functions = Object.entries(props.functions);
    this.dashboard.addWidgets(
      new GraphWidget({ title: "Decisions by outcome", left: decisionsByOutcome(), width: 8 }),
      new GraphWidget({
        title: "Approvals requested vs decided",
        left: [approvalsRequested(), approvalsDecided()],
        width: 8,
      }),
      new GraphWidget({
        title: "Decision latency (ms)",
        left: [...latency("APPROVED"), ...latency("DENIED")],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({ title: "Timeout rate (%)", left: [timeoutRatePercent(Duration.hours(1))], width: 8 }),
      new GraphWidget({
        title: "API 4xx / 5xx",
        left: [
          api.metricClientError({ period: FIVE_MINUTES }),
          api.metricServerError({ period: FIVE_MINUTES }),
        ],
        right: [api.metricLatency({ statistic: "p99", period: FIVE_MINUTES, label: "p99 latency" })],
        width: 8,
      }),
      new SingleValueWidget({
        title: "Fail-closed decisions (24 h)",
        metrics: [gatesMetric("FailClosedDecisions", { source: "fail_closed" }, "Sum", Duration.days(1))],
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Lambda errors",
        left: functions.map(([name, fn]) => fn.metricErrors({ period: FIVE_MINUTES, label: name })),
        width: 8,
      }),
      new GraphWidget({
        title: "Lambda throttles",
        left: functions.map(([name, fn]) => fn.metricThrottles({ period: FIVE_MINUTES, label: name })),
        width: 8,
      }),
      new GraphWidget({
        title: "DLQ depth",
        left: Object.entries(props.deadLetterQueues).map(([name, queue]) =>
          queue.metricApproximateNumberOfMessagesVisible({
            period: Duration.minutes(1),
            statistic: "Maximum",
            label: name,
          }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Channel deliveries by channel and result",
        // A search, so channels and results added to the fan-out show without a dashboard change.
        left: [
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},channel,result} MetricName="${CHANNEL_DELIVERIES}"', 'Sum', 300)`,
            label: "",
            period: FIVE_MINUTES,
          }),
        ],
        width: 12,
      }),
      new GraphWidget({
        title: "Denials by guard, publisher health",
        left: [
          gatesMetric("GateCapExceeded", { source: "cap" }),
          gatesMetric("ApprovalRateLimited", { source: "rate_limit" }),
          gatesMetric("BudgetExhausted", { source: "budget" }),
        ],
        right: [
          gatesMetric("PublisherHeartbeat"),
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},reason} MetricName="MetricEmitSkipped"', 'Sum', 300)`,
            label: "",
            period: FIVE_MINUTES,
          }),
        ],
        width: 12,
      }),
    );
    const decision = Object.entries(props.decisionFunctions);
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Concurrency: waiting vs deciding",
        left: decision.map(([name, fn]) =>
          fn.metric("ConcurrentExecutions", {
            statistic: "Maximum",
            period: Duration.minutes(1),
            label: name,
          }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Throttles of the deciding and waiting functions",
        left: decision.map(([name, fn]) =>
          fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum", label: name }),
        ),
        width: 8,
      }),
      new GraphWidget({
        title: "Events stream iterator age (ms)",
        left: Object.entries(props.streamConsumers).map(([name, fn]) =>
          iteratorAge(fn).with({ label: name }),
        ),
        width: 8,
      }),
    );
    this.dashboard.addWidgets(
      new GraphWidget({
        title: "Events written vs publisher heartbeats",
        left: [
          props.eventsTable.metricConsumedWriteCapacityUnits({
            period: FIVE_MINUTES,
            statistic: "Sum",
            label: "Events table writes (WCU)",
          }),
        ],
        right: [gatesMetric("PublisherHeartbeat").with({ label: "heartbeats" })],
        width: 24,
      }),
    );
  }

  private addAlarms(props: GatesMonitoringProps): void {
    const alarm = (
      id: string,
      metric: Metric | MathExpression,
      threshold: number,
      description: string,
      evaluationPeriods = 1,
    ) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: description,
      });
      created.addAlarmAction(new SnsAction(this.topic));
      this.alarms.push(created);
    };
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      alarm(
        `DeadLetters${name}`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: "Maximum" }),
        1,
        `The ${name} stream consumer gave up on records; they are in its dead-letter queue.`,
      );
    }
    alarm(
      "Api5xxRate",
      new MathExpression({
        expression: "IF(requests > 0, 100 * errors / requests, 0)",
        usingMetrics: {
          errors: props.api.metricServerError({ period: FIVE_MINUTES, statistic: "Sum" }),
          requests: props.api.metricCount({ period: FIVE_MINUTES, statistic: "Sum" }),
        },
        period: FIVE_MINUTES,
        label: "5xx %",
      }),
      1,
      "At least 1 % of API requests failed with a 5xx over 5 minutes.",
    );
    alarm(
      "FailClosed",
      gatesMetric("FailClosedDecisions", { source: "fail_closed" }),
      1,
      "A tool call was denied because the policy engine failed (fail closed).",
    );
    alarm(
      "TimeoutRate",
      timeoutRatePercent(Duration.hours(1), 5),
      50,
      "Half or more of at least 5 approval decisions in the last hour were timeouts: approvers are not answering.",
    );
    alarm(
      "ReconcilerErrors",
      props.reconciler.metricErrors({ period: FIVE_MINUTES, statistic: "Sum" }),
      1,
      "The reconciler failed: overdue approval requests may not be timing out.",
    );
    // Two periods in a row, so writes at the end of one period and their heartbeat early in the next
    // do not alarm; without writes there is nothing to publish, and nothing alarms either.
    alarm(
      "PublisherHeartbeatMissing",
      new MathExpression({
        expression: "IF(FILL(writes, 0) > 0 AND FILL(beats, 0) == 0, 1, 0)",
        usingMetrics: {
          writes: props.eventsTable.metricConsumedWriteCapacityUnits({
            period: FIVE_MINUTES,
            statistic: "Sum",
          }),
          beats: gatesMetric("PublisherHeartbeat"),
        },
        period: FIVE_MINUTES,
        label: "events written without a heartbeat",
      }),
      1,
      "Events were written for 10 minutes but the metrics publisher sent no heartbeat: it has stalled, and the metric alarms, the fail-closed one included, cannot fire.",
      2,
    );
    for (const [name, fn] of Object.entries(props.streamConsumers)) {
      alarm(
        `IteratorAge${name}`,
        iteratorAge(fn),
        ITERATOR_AGE_ALARM_MS,
        `The ${name} stream consumer is 5 minutes or more behind the Events stream.`,
      );
    }
    for (const [name, fn] of Object.entries(props.decisionFunctions)) {
      alarm(
        `Throttles${name}`,
        fn.metricThrottles({ period: FIVE_MINUTES, statistic: "Sum" }),
        1,
        `The ${name} function was throttled: callers got 503s and agents were denied or kept waiting.`,
      );
    }
  }
}

/** The age of the oldest record a stream consumer read, as its mapping reports it. */
function iteratorAge(fn: IFunction): Metric {
  return fn.metric("IteratorAge", { statistic: "Maximum", period: FIVE_MINUTES });
}
