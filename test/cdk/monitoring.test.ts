import { Match, type Template } from "aws-cdk-lib/assertions";
import { synthTemplate } from "./stack-template";

let template: Template;
beforeAll(() => {
  template = synthTemplate({ alarmEmail: "oncall@example.com" });
});

/** The alarm whose description contains a phrase. */
function alarm(phrase: string): Record<string, unknown> {
  const found = Object.values(template.findResources("AWS::CloudWatch::Alarm")).filter((a) =>
    String(a.Properties.AlarmDescription).includes(phrase),
  );
  expect(found).toHaveLength(1);
  return found[0]?.Properties ?? {};
}

/** The math expression of an alarm built from metric math. */
function expressionOf(properties: Record<string, unknown>): string {
  const metrics = properties.Metrics as { Expression?: string }[];
  return metrics.find((m) => m.Expression !== undefined)?.Expression ?? "";
}

describe("dashboard and alarms", () => {
  it("builds the ApprovalGates dashboard with every widget operators need", () => {
    // Assess
    const [dashboard] = Object.values(template.findResources("AWS::CloudWatch::Dashboard"));
    expect(dashboard?.Properties.DashboardName).toBe("ApprovalGates");
    const body = JSON.stringify(dashboard?.Properties.DashboardBody);
    for (const title of [
      "Decisions by outcome",
      "Approvals requested vs decided",
      "Decision latency (ms)",
      "Timeout rate (%)",
      "API 4xx / 5xx",
      "Lambda errors",
      "Lambda throttles",
      "DLQ depth",
      "Channel deliveries by channel and result",
      "Fail-closed decisions",
      "Concurrency: waiting vs deciding",
      "Throttles of the deciding and waiting functions",
      "Events stream iterator age (ms)",
      "Events written vs publisher heartbeats",
    ]) {
      expect(body).toContain(title);
    }
    for (const stat of ["p50", "p90", "p99"]) expect(body).toContain(`\\"stat\\":\\"${stat}\\"`);
  });

  it("alarms on any message in a dead-letter queue", () => {
    // Act
    const properties = alarm("dead-letter queue");

    // Assess
    expect(properties).toMatchObject({
      MetricName: "ApproximateNumberOfMessagesVisible",
      Threshold: 1,
      ComparisonOperator: "GreaterThanOrEqualToThreshold",
    });
  });

  it("alarms on a 5xx rate of 1 % with an expression that is 0 without traffic", () => {
    // Act
    const properties = alarm("5xx");

    // Assess
    expect(properties.Threshold).toBe(1);
    expect(expressionOf(properties)).toBe("IF(requests > 0, 100 * errors / requests, 0)");
  });

  it("alarms on any fail-closed decision", () => {
    // Assess
    expect(alarm("fail closed")).toMatchObject({
      Namespace: "ApprovalGates",
      MetricName: "FailClosedDecisions",
      Dimensions: [{ Name: "source", Value: "fail_closed" }],
      Threshold: 1,
      TreatMissingData: "notBreaching",
    });
  });

  it("alarms on a timeout rate of 50 % over an hour only with at least 5 decisions", () => {
    // Act
    const properties = alarm("timeouts");

    // Assess
    expect(properties.Threshold).toBe(50);
    const expression = expressionOf(properties);
    expect(expression).toMatch(
      /^IF\(\(FILL\(s0, 0\) \+ FILL\(s1, 0\) \+ FILL\(s2, 0\) \+ FILL\(s3, 0\)\) >= 5, 100 \* FILL\(s2, 0\) \//,
    );
    expect(expression).toMatch(/, 0\)$/);
    const metrics = properties.Metrics as { MetricStat?: { Period: number } }[];
    expect(metrics.filter((m) => m.MetricStat).every((m) => m.MetricStat?.Period === 3600)).toBe(true);
  });

  it("alarms on reconciler errors", () => {
    // Assess
    expect(alarm("reconciler")).toMatchObject({ MetricName: "Errors", Threshold: 1 });
  });

  it("alarms when events are written for two periods and the metrics publisher sends no heartbeat", () => {
    // Act
    const properties = alarm("no heartbeat");

    // Assess
    expect(properties).toMatchObject({
      Threshold: 1,
      EvaluationPeriods: 2,
      TreatMissingData: "notBreaching",
    });
    expect(expressionOf(properties)).toBe("IF(FILL(writes, 0) > 0 AND FILL(beats, 0) == 0, 1, 0)");
    const metrics = properties.Metrics as { Id: string; MetricStat?: { Metric: { MetricName: string } } }[];
    expect(
      Object.fromEntries(
        metrics.filter((m) => m.MetricStat).map((m) => [m.Id, m.MetricStat?.Metric.MetricName]),
      ),
    ).toEqual({
      writes: "ConsumedWriteCapacityUnits",
      beats: "PublisherHeartbeat",
    });
  });

  it("alarms when the metrics publisher falls 5 minutes behind the Events stream", () => {
    // Act
    const properties = alarm("MetricsPublisher stream consumer is 5 minutes");

    // Assess
    expect(properties).toMatchObject({ MetricName: "IteratorAge", Statistic: "Maximum", Threshold: 300_000 });
  });

  it.each(["Evaluate", "Decide", "SlackDecide", "Wait"])(
    "alarms on any throttle of the %s function",
    (name) => {
      // Act
      const properties = alarm(`The ${name} function was throttled`);

      // Assess
      expect(properties).toMatchObject({ MetricName: "Throttles", Namespace: "AWS/Lambda", Threshold: 1 });
    },
  );

  it("sends every alarm to an encrypted topic with the email subscribed", () => {
    // Assess
    const topicId = Object.keys(template.findResources("AWS::SNS::Topic"))[0];
    const alarms = Object.values(template.findResources("AWS::CloudWatch::Alarm"));
    // Five metric alarms, the heartbeat, one stream consumer's iterator age, four throttled functions.
    expect(alarms).toHaveLength(11);
    for (const a of alarms) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    template.hasResourceProperties("AWS::SNS::Topic", { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties("AWS::SNS::Subscription", {
      Protocol: "email",
      Endpoint: "oncall@example.com",
    });
  });
});

describe("outputs", () => {
  it("exports the API URL, user pool and client ids and the dashboard name", () => {
    // Assess
    const outputs = Object.keys(template.findOutputs("*"));
    expect(outputs).toEqual(
      expect.arrayContaining(["ApiUrl", "UserPoolId", "UserPoolClientId", "DashboardName"]),
    );
  });

  it("creates the gates-admins group in a new user pool, and none with an existing pool", () => {
    // Act
    const existing = synthTemplate({ userPoolId: "eu-west-1_AbCdEf123" });

    // Assess
    template.hasResourceProperties("AWS::Cognito::UserPoolGroup", { GroupName: "gates-admins" });
    existing.resourceCountIs("AWS::Cognito::UserPool", 0);
    existing.resourceCountIs("AWS::Cognito::UserPoolGroup", 0);
    existing.hasResourceProperties("AWS::Cognito::UserPoolClient", { UserPoolId: "eu-west-1_AbCdEf123" });
  });

  it("keeps MFA optional for the CLI by default and requires it when asked", () => {
    // Act
    const required = synthTemplate({ humanMfa: "required" });

    // Assess
    template.hasResourceProperties("AWS::Cognito::UserPool", { MfaConfiguration: "OPTIONAL" });
    required.hasResourceProperties("AWS::Cognito::UserPool", { MfaConfiguration: "ON" });
    template.hasResourceProperties("AWS::Cognito::UserPoolClient", {
      ExplicitAuthFlows: Match.arrayWith(["ALLOW_USER_PASSWORD_AUTH"]),
    });
  });
});
