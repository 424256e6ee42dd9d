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
import { ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import type { IFunction } from "aws-cdk-lib/aws-lambda";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { METRICS_NAMESPACE } from "../../lambdas/adapters/metrics/event-metrics";
import {
  approvalsDecided,
  approvalsRequested,
  decisionsByOutcome,
  gatesMetric,
  timeoutRatePercent,
} from "./gates-metrics";

/** Props of {@link GatesMonitoring}. */
export interface GatesMonitoringProps {
  readonly api: RestApi;
  /** Every function, by a short name shown on the dashboard. */
  readonly functions: Readonly<Record<string, IFunction>>;
  /** The reconciler, whose errors alarm. */
  readonly reconciler: IFunction;
  /** Dead-letter queues by name; any message in one alarms. */
  readonly deadLetterQueues: Readonly<Record<string, IQueue>>;
  /** Subscribed to the alarm topic when given. @default no subscription: subscribe later */
  readonly alarmEmail?: string;
  /** @default "ApprovalGates" */
  readonly dashboardName?: string;
}

const FIVE_MINUTES = Duration.minutes(5);

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
        title: "Slack deliveries by result",
        // A search, so results added by the fan-out show without a dashboard change.
        left: [
          new MathExpression({
            expression: `SEARCH('{${METRICS_NAMESPACE},result} MetricName="SlackDeliveries"', 'Sum', 300)`,
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
  }

  private addAlarms(props: GatesMonitoringProps): void {
    const alarm = (id: string, metric: Metric | MathExpression, threshold: number, description: string) => {
      const created = new Alarm(this, id, {
        metric,
        threshold,
        evaluationPeriods: 1,
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
  }
}
