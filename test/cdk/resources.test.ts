import { Match, type Template } from "aws-cdk-lib/assertions";
import { TABLE_ACCESS } from "../../cdk/constructs/table-access";
import { API_FUNCTIONS } from "../../cdk/function-catalog";
import { tableEnvVar } from "../../lambdas/adapters/config";
import { TABLE_LOGICAL_NAMES, TABLES } from "../../lambdas/adapters/dynamo/tables";
import { synthTemplate } from "./stack-template";

let template: Template;
beforeAll(() => {
  template = synthTemplate();
});

type Resource = { Properties: Record<string, unknown>; Metadata?: Record<string, unknown> };

/** The function whose description names its purpose, e.g. "agent API". */
function functionFor(purpose: string): [string, Resource] {
  const found = Object.entries(template.findResources("AWS::Lambda::Function")).filter(
    ([, f]) => f.Properties.Description === `Approval Gates: ${purpose}`,
  );
  expect(found).toHaveLength(1);
  return found[0] as [string, Resource];
}

/** The logical id of a table by its logical name. */
function tableId(name: string): string {
  const ids = Object.keys(template.findResources("AWS::DynamoDB::GlobalTable")).filter((id) =>
    id.startsWith(`Tables${name}`),
  );
  expect(ids).toHaveLength(1);
  return ids[0] ?? "";
}

/** Every DynamoDB action the function's role may call, as `Table:action`, sorted. */
function dynamoGrants(purpose: string): string[] {
  const [, fn] = functionFor(purpose);
  const roleId = (fn.Properties.Role as { "Fn::GetAtt": string[] })["Fn::GetAtt"][0];
  const policies = Object.values(template.findResources("AWS::IAM::Policy")).filter((p) =>
    (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleId),
  );
  const grants: string[] = [];
  for (const policy of policies) {
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      const actions: string[] = [statement.Action].flat();
      const resources = [statement.Resource].flat();
      for (const action of actions.filter((a) => a.startsWith("dynamodb:"))) {
        for (const resource of resources) {
          const text = JSON.stringify(resource);
          const table = TABLE_LOGICAL_NAMES.find((name) => text.includes(`"${tableId(name)}"`)) ?? text;
          const index = /\/index\/([\w-]+)/.exec(text)?.[1];
          grants.push(`${table}${index ? `/${index}` : ""}:${action.slice("dynamodb:".length)}`);
        }
      }
    }
  }
  return grants.sort();
}

const expectedGrants = (subject: keyof typeof TABLE_ACCESS): string[] =>
  Object.entries(TABLE_ACCESS[subject])
    .flatMap(([table, actions]) => (actions ?? []).map((a) => `${table}:${a.slice("dynamodb:".length)}`))
    .sort();

describe("tables", () => {
  it.each(TABLE_LOGICAL_NAMES)(
    "builds %s from the table definition, on demand, with PITR and encryption",
    (name) => {
      // Assess
      const def = TABLES[name];
      template.hasResource("AWS::DynamoDB::GlobalTable", {
        DeletionPolicy: "Retain",
        UpdateReplacePolicy: "Retain",
        Properties: Match.objectLike({
          KeySchema: [
            { AttributeName: def.partitionKey.name, KeyType: "HASH" },
            ...(def.sortKey ? [{ AttributeName: def.sortKey.name, KeyType: "RANGE" }] : []),
          ],
          BillingMode: "PAY_PER_REQUEST",
          SSESpecification: { SSEEnabled: true, SSEType: "KMS" },
          Replicas: [
            Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
          ],
          ...(def.ttlAttribute
            ? { TimeToLiveSpecification: { AttributeName: def.ttlAttribute, Enabled: true } }
            : {}),
          ...(def.stream ? { StreamSpecification: { StreamViewType: "NEW_IMAGE" } } : {}),
          ...(def.globalIndexes.length > 0
            ? {
                GlobalSecondaryIndexes: def.globalIndexes.map((i) =>
                  Match.objectLike({ IndexName: i.indexName }),
                ),
              }
            : {}),
        }),
      });
    },
  );

  it("can be destroyed with the stack when asked", () => {
    // Act
    const destroying = synthTemplate({ removalPolicy: "destroy" });

    // Assess
    const policies = Object.values(destroying.findResources("AWS::DynamoDB::GlobalTable")).map(
      (t) => t.DeletionPolicy,
    );
    expect(policies).toEqual(TABLE_LOGICAL_NAMES.map(() => "Delete"));
  });
});

describe("functions", () => {
  const evaluating = ["agent API", "policies API"];
  const notEvaluating = [
    "public API",
    "wait API",
    "shared API",
    "human API",
    "slack API",
    "reconciler",
    "metrics publisher",
  ];

  it.each([...evaluating, ...notEvaluating])(
    "runs the %s on ARM64 and Node.js 24 with table names and Powertools",
    (purpose) => {
      // Act
      const [, fn] = functionFor(purpose);

      // Assess
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs24.x",
        Architectures: ["arm64"],
        Environment: {
          Variables: expect.objectContaining({
            POWERTOOLS_SERVICE_NAME: "approval-gates",
            [tableEnvVar("Tasks")]: { Ref: tableId("Tasks") },
            [tableEnvVar("RateLimits")]: { Ref: tableId("RateLimits") },
          }),
        },
      });
    },
  );

  it.each(evaluating)(
    "gives the %s, which evaluates policies, the Cedar and shell parser layers and 512 MB",
    (purpose) => {
      // Act
      const [, fn] = functionFor(purpose);

      // Assess
      const layers = template.findResources("AWS::Lambda::LayerVersion");
      const idOf = (prefix: string) => Object.keys(layers).find((id) => id.startsWith(prefix));
      expect(fn.Properties.Layers).toEqual([{ Ref: idOf("Cedar") }, { Ref: idOf("ShellParser") }]);
      expect(fn.Properties.MemorySize).toBe(512);
    },
  );

  it.each(notEvaluating)("gives the %s, which never evaluates, no layer and less than 512 MB", (purpose) => {
    // Act
    const [, fn] = functionFor(purpose);

    // Assess
    expect(fn.Properties.Layers).toBeUndefined();
    expect(fn.Properties.MemorySize).toBeLessThan(512);
  });

  it("keeps the long-poll to the smallest function and API Gateway's 29 s, and loads no source maps", () => {
    // Act
    const [, wait] = functionFor("wait API");

    // Assess
    expect(wait.Properties).toMatchObject({ MemorySize: 128, Timeout: 29 });
    for (const fn of Object.values(template.findResources("AWS::Lambda::Function"))) {
      expect(fn.Properties.Environment?.Variables?.NODE_OPTIONS ?? "").not.toContain("--enable-source-maps");
    }
  });

  it("traces nothing by default, and the stage and every function with X-Ray when asked", () => {
    // Act
    const traced = synthTemplate({ tracing: true });

    // Assess
    for (const fn of Object.values(template.findResources("AWS::Lambda::Function"))) {
      expect(fn.Properties.TracingConfig).toBeUndefined();
    }
    // The stack's own functions: CDK's handler that copies the console's files runs only at deploy.
    const own = Object.values(traced.findResources("AWS::Lambda::Function")).filter(
      (fn) => fn.Properties.Environment?.Variables?.GATES_VERSION !== undefined,
    );
    expect(own.length).toBeGreaterThanOrEqual(Object.keys(API_FUNCTIONS).length + 2);
    for (const fn of own) {
      expect(fn.Properties.TracingConfig).toEqual({ Mode: "Active" });
    }
    traced.hasResourceProperties("AWS::ApiGateway::Stage", { TracingEnabled: true });
  });

  it("describes each layer by the modules and versions it pins", () => {
    // Assess
    const descriptions = Object.values(template.findResources("AWS::Lambda::LayerVersion")).map(
      (l) => l.Properties.Description,
    );
    expect(descriptions).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^Cedar: @cedar-policy\/cedar-wasm \d+\.\d+\.\d+$/),
        expect.stringMatching(
          /^Shell parser: web-tree-sitter \d+\.\d+\.\d+, tree-sitter-bash \d+\.\d+\.\d+$/,
        ),
      ]),
    );
  });

  it.each([
    ["public API", "public"],
    ["agent API", "agent"],
    ["human API", "human"],
    ["wait API", "wait"],
    ["shared API", "shared"],
    ["policies API", "policies"],
    ["reconciler", "reconciler"],
  ] as const)("grants the %s exactly its table actions", (purpose, subject) => {
    // Assess
    expect(dynamoGrants(purpose).filter((g) => !g.includes("/"))).toEqual(expectedGrants(subject));
  });

  it("grants the exact agent actions, spelled out", () => {
    // Assess
    expect(dynamoGrants("agent API")).toEqual([
      "Approvals:GetItem",
      "Approvals:PutItem",
      "Approvals:UpdateItem",
      "Events:PutItem",
      "Inbox:DeleteItem",
      "Inbox:PutItem",
      "Locks:Query",
      "PolicySets:GetItem",
      "PolicySets:Query",
      "RepoSettings:Query",
      "Tasks:GetItem",
      "Tasks:PutItem",
    ]);
  });

  it("lets only the human API publish settings and place or lift locks, with their audit ledger", () => {
    // Assess
    const writers = (grant: string) =>
      ["agent API", "wait API", "shared API", "human API", "slack API", "policies API", "reconciler"].filter(
        (f) => dynamoGrants(f).includes(grant),
      );
    expect(writers("RepoSettings:PutItem")).toEqual(["human API"]);
    expect(writers("Locks:PutItem")).toEqual(["human API", "reconciler"]);
    expect(writers("LockEvents:PutItem")).toEqual(["human API", "reconciler"]);
    expect(dynamoGrants("human API").filter((g) => g.startsWith("Lock"))).toEqual([
      "LockEvents:PutItem",
      "LockEvents:Query",
      "Locks:DeleteItem",
      "Locks:GetItem",
      "Locks:PutItem",
      "Locks:Query",
    ]);
  });

  it("starts every function on the strict default settings", () => {
    // Assess
    for (const [, fn] of Object.entries(template.findResources("AWS::Lambda::Function"))) {
      const env = (fn as { Properties: { Environment?: { Variables?: Record<string, unknown> } } }).Properties
        .Environment?.Variables;
      if (env?.GATES_TABLE_TASKS !== undefined) expect(env.GATES_DEFAULT_SETTINGS).toBe("strict");
    }
  });

  it("lets the wait API time out an overdue request it reads, in one transaction, and read nothing else", () => {
    // Assess
    expect(dynamoGrants("wait API")).toEqual([
      "Approvals:GetItem",
      "Approvals:UpdateItem",
      "Events:PutItem",
      "Inbox:DeleteItem",
      "Tasks:GetItem",
      "Tasks:PutItem",
    ]);
    expect(dynamoGrants("shared API")).toEqual(["Events:Query", "Tasks:GetItem"]);
  });

  it("lets only the reconciler and the human API query the pending-expiry index, and only the human API the Slack user index", () => {
    // Assess
    expect(dynamoGrants("reconciler").filter((g) => g.includes("/"))).toEqual([
      "Approvals/pending-expiry:Query",
    ]);
    // A lock placed with cancel_pending finds the requests it cancels through the index.
    expect(dynamoGrants("human API").filter((g) => g.includes("/"))).toEqual([
      "Approvals/pending-expiry:Query",
      "SlackLinks/user-index:Query",
    ]);
    expect(dynamoGrants("agent API").some((g) => g.includes("/"))).toBe(false);
    expect(dynamoGrants("policies API").some((g) => g.includes("/"))).toBe(false);
    expect(dynamoGrants("slack API").some((g) => g.includes("/"))).toBe(false);
  });

  it("lets the Slack webhooks read links and write codes, but never delete a link", () => {
    // Assess
    const slackLinks = dynamoGrants("slack API").filter((g) => g.startsWith("SlackLinks:"));
    expect(slackLinks.sort()).toEqual(["SlackLinks:GetItem", "SlackLinks:PutItem"]);
  });

  it("gives the metrics publisher stream reads and nothing on the tables themselves", () => {
    // Assess
    expect(dynamoGrants("metrics publisher")).toEqual([
      "Events:DescribeStream",
      "Events:GetRecords",
      "Events:GetShardIterator",
      "Events:ListStreams",
    ]);
  });

  it("runs the reconciler every minute", () => {
    // Assess
    const [reconcilerId] = functionFor("reconciler");
    template.hasResourceProperties("AWS::Events::Rule", {
      ScheduleExpression: "rate(1 minute)",
      Targets: [Match.objectLike({ Arn: { "Fn::GetAtt": [reconcilerId, "Arn"] } })],
    });
  });
});

describe("page tokens", () => {
  it("gives only the functions that list pending requests one generated key, read with the SDK", () => {
    // Assess
    const secrets = Object.entries(template.findResources("AWS::SecretsManager::Secret"));
    expect(secrets).toHaveLength(1);
    const [keyId, key] = secrets[0] as [string, Resource];
    expect(key.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64 });
    const readers = Object.entries(template.findResources("AWS::Lambda::Function"))
      .filter(([, f]) => JSON.stringify(f.Properties.Environment).includes(`"${keyId}"`))
      .map(([, f]) => String(f.Properties.Description))
      .sort();
    expect(readers).toEqual(["Approval Gates: human API", "Approval Gates: slack API"]);
    for (const purpose of ["human API", "slack API"]) {
      const [, fn] = functionFor(purpose);
      expect(fn.Properties.Environment).toMatchObject({
        Variables: { GATES_PAGE_TOKEN_SECRET_ID: { Ref: keyId } },
      });
      // No extension layer: the Secrets Manager SDK reads the key in every region.
      expect(fn.Properties.Layers).toBeUndefined();
    }
    const grants = Object.values(template.findResources("AWS::IAM::Policy")).filter((p) =>
      JSON.stringify(p).includes(`"${keyId}"`),
    );
    expect(grants).toHaveLength(2);
  });
});

describe("stream consumers", () => {
  it("feeds the Events stream to the metrics publisher with partial batches, bisect, bounded retries and a DLQ", () => {
    // Assess
    const [publisherId] = functionFor("metrics publisher");
    const queueId = Object.keys(template.findResources("AWS::SQS::Queue"))[0];
    template.hasResourceProperties("AWS::Lambda::EventSourceMapping", {
      FunctionName: { Ref: publisherId },
      EventSourceArn: { "Fn::GetAtt": [tableId("Events"), "StreamArn"] },
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      StartingPosition: "TRIM_HORIZON",
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
    });
    template.hasResourceProperties("AWS::SQS::Queue", { SqsManagedSseEnabled: true });
  });
});

describe("Slack settings", () => {
  it("hands the Slack webhooks' function the channel, the secret names and read access to exactly those secrets", () => {
    // Act
    const slack = synthTemplate({
      slackBotTokenSecretName: "gates/slack/bot",
      slackSigningSecretName: "gates/slack/signing",
      slackChannel: "C0123",
    });

    // Assess
    slack.hasResourceProperties("AWS::Lambda::Function", {
      Description: "Approval Gates: slack API",
      Environment: {
        Variables: Match.objectLike({
          SLACK_BOT_TOKEN_SECRET_NAME: "gates/slack/bot",
          SLACK_SIGNING_SECRET_NAME: "gates/slack/signing",
          SLACK_CHANNEL: "C0123",
        }),
      },
    });
    const grants = JSON.stringify(slack.findResources("AWS::IAM::Policy"));
    // The Slack API reads both secrets and the page token key; the human API that key; the fan-out the bot token.
    expect(grants.match(/secretsmanager:GetSecretValue/g)).toHaveLength(5);
    expect(grants).toContain(":secret:gates/slack/bot-??????");
    expect(grants).toContain(":secret:gates/slack/signing-??????");
  });

  it("reads the Slack secrets with the SDK, so the stack deploys in every region: no layer, no region map", () => {
    // Act
    const slack = synthTemplate({
      slackBotTokenSecretName: "gates/slack/bot",
      slackSigningSecretName: "gates/slack/signing",
      slackChannel: "C0123",
    });

    // Assess
    for (const purpose of ["slack API", "channel fan-out"]) {
      slack.hasResourceProperties("AWS::Lambda::Function", {
        Description: `Approval Gates: ${purpose}`,
        Layers: Match.absent(),
      });
    }
    // A per-region lookup is what broke deploys in regions outside it.
    expect(slack.toJSON().Mappings ?? {}).toEqual({});
    expect(JSON.stringify(slack.toJSON())).not.toContain("Fn::FindInMap");
  });
});
