import { App, Stack } from "aws-cdk-lib";
import { Match, Template } from "aws-cdk-lib/assertions";
import { ChannelFanout } from "../../cdk/constructs/channel-fanout";
import { GatesTables } from "../../cdk/constructs/tables";

let template: Template;
beforeAll(() => {
  // No bundling: the synth test covers it, and this file only looks at the resources.
  const app = new App({ context: { "aws:cdk:bundling-stacks": [] } });
  const stack = new Stack(app, "ChannelFanoutTest", {
    env: { region: "eu-west-1", account: "123456789012" },
  });
  const tables = new GatesTables(stack, "Tables");
  new ChannelFanout(stack, "ChannelFanout", {
    tables,
    slack: { botTokenSecretName: "gates/slack-bot", channel: "CAPPROVALS" },
    webhooks: [{ id: "ops", url: "https://hooks.example.com/gates", secretName: "gates/webhook-ops" }],
  });
  template = Template.fromStack(stack);
});

describe("ChannelFanout", () => {
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

  it("passes the Slack channel, the webhook endpoints and their secrets' names, never a secret, and needs no extension layer", () => {
    template.hasResourceProperties("AWS::Lambda::Function", {
      Description: "Approval Gates: channel fan-out",
      Environment: {
        Variables: Match.objectLike({
          SLACK_CHANNEL: "CAPPROVALS",
          SLACK_BOT_TOKEN_SECRET_NAME: "gates/slack-bot",
          GATES_WEBHOOKS: JSON.stringify([
            {
              id: "ops",
              url: "https://hooks.example.com/gates",
              secret_name: "gates/webhook-ops",
              format: "json",
            },
          ]),
        }),
      },
      // The token is read with the Secrets Manager SDK, which works in every region.
      Layers: Match.absent(),
    });
  });

  it("may read and update approvals, query the Slack user index and settings, and read its secrets, nothing more", () => {
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown }[] } } }).Properties
          .PolicyDocument.Statement,
    );
    const actions = [
      ...new Set(statements.flatMap((s) => (Array.isArray(s.Action) ? s.Action : [s.Action]))),
    ].sort();
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

  it("queries exactly the Slack user index and the settings table, and reads exactly its two secrets", () => {
    const statements = Object.values(template.findResources("AWS::IAM::Policy")).flatMap(
      (p) =>
        (p as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown }[] } } })
          .Properties.PolicyDocument.Statement,
    );
    const query = statements.find((s) => s.Action === "dynamodb:Query");
    expect(JSON.stringify(query?.Resource)).toContain("/index/user-index");
    expect(JSON.stringify(query?.Resource)).toMatch(/RepoSettings/);
    const secrets = statements.filter((s) =>
      JSON.stringify(s.Action).includes("secretsmanager:GetSecretValue"),
    );
    expect(JSON.stringify(secrets.map((s) => s.Resource))).toMatch(
      /gates\/slack-bot.*gates\/webhook-ops|gates\/webhook-ops.*gates\/slack-bot/,
    );
  });
});
