import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { SlackFanout } from "../../cdk/constructs/slack-fanout";
import { GatesTables } from "../../cdk/constructs/tables";

let template: Template;
beforeAll(() => {
  // No bundling: the synth test covers it, and this file only looks at the resources.
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new Stack(app, "SlackFanoutTest", { env: { region: "eu-west-1", account: "123456789012" } });
  const tables = new GatesTables(stack, "Tables");
  new SlackFanout(stack, "SlackFanout", {
    tables,
    botTokenSecretName: "gates/slack-bot",
    channel: "CAPPROVALS",
  });
  template = Template.fromStack(stack);
});

describe("SlackFanout", () => {
  it("reads the Events stream with partial batch responses, bisect, bounded retries and a DLQ", () => {
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      BatchSize: 10,
      DestinationConfig: { OnFailure: { Destination: Match.anyValue() } },
    });
    template.resourceCountIs("AWS::SQS::Queue", 1);
  });

  it("passes the channel and the token's secret name, never the token, and needs no extension layer", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Description: "Approval Gates: Slack fan-out",
      Environment: {
        Variables: Match.objectLike({
          SLACK_CHANNEL: "CAPPROVALS",
          SLACK_BOT_TOKEN_SECRET_NAME: "gates/slack-bot",
        }),
      },
      // The token is read with the Secrets Manager SDK, which works in every region.
      Layers: Match.absent(),
    });
  });

  it("may read and update approvals, query the Slack user index and read the token secret, nothing more", () => {
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const actions = statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action])).sort();
    // The stream reads and the dead-letter sends are the event source mapping's own.
    expect(actions).toEqual([
      "dynamodb:DescribeStream",
      "dynamodb:GetItem",
      "dynamodb:GetRecords",
      "dynamodb:GetShardIterator",
      "dynamodb:ListStreams",
      "dynamodb:Query",
      "dynamodb:UpdateItem",
      "logs:CreateLogStream",
      "logs:PutLogEvents",
      "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue",
      "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl",
      "sqs:SendMessage",
    ]);
  });
});
