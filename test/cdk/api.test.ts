import { Match, type Template } from "aws-cdk-lib/assertions";
import { routeAuth } from "../../cdk/constructs/route-authorization";
import { ROUTES } from "../../lambdas/routes";
import { synthTemplate } from "./stack-template";

let template: Template;
beforeAll(() => {
  template = synthTemplate();
});

/** The CloudFormation method of a route, found by its operation name. */
function methodOf(operation: string): Record<string, unknown> {
  const methods = Object.values(template.findResources("AWS::ApiGateway::Method")).filter(
    (m) => m.Properties.OperationName === operation,
  );
  expect(methods).toHaveLength(1);
  return methods[0]?.Properties ?? {};
}

describe("the REST API", () => {
  it.each(ROUTES.map((r) => [r.operation, r]))("authorises %s as its principals require", (_op, route) => {
    // Act
    const method = methodOf(route.operation);

    // Assess
    const expected = { none: "NONE", iam: "AWS_IAM", cognito: "COGNITO_USER_POOLS" }[routeAuth(route, "iam")];
    expect(method.AuthorizationType).toBe(expected);
    expect(method.HttpMethod).toBe(route.method);
  });

  it("maps the manifest to the expected authorizer kinds", () => {
    // Assess
    const byAuth = (auth: string) =>
      ROUTES.filter((r) => routeAuth(r, "iam") === auth)
        .map((r) => r.operation)
        .sort();
    expect(byAuth("none")).toEqual(["getOpenApi", "health", "slackCommands", "slackInteractions"]);
    expect(byAuth("iam")).toEqual(
      [
        "createTask",
        "dryRunPolicies",
        "evaluateToolCall",
        "finishTask",
        "getApproval",
        "getPolicies",
        "getSettings",
        "getTask",
        "listEvents",
        "whoami",
        "reportOutcome",
        "withdrawApproval",
      ].sort(),
    );
    expect(byAuth("cognito")).toEqual(
      [
        "approve",
        "cancelTask",
        "deny",
        "liftLock",
        "linkSlack",
        "listLockEvents",
        "listLocks",
        "listPending",
        "placeLock",
        "publishPolicies",
        "publishSettings",
        "revokeGrant",
        "unlinkSlack",
      ].sort(),
    );
  });

  it("puts shared routes behind Cognito when mixedRouteAuth is cognito", () => {
    // Act
    const cognito = synthTemplate({ mixedRouteAuth: "cognito" });

    // Assess
    cognito.hasResourceProperties("AWS::ApiGateway::Method", {
      OperationName: "getTask",
      AuthorizationType: "COGNITO_USER_POOLS",
    });
    cognito.hasResourceProperties("AWS::ApiGateway::Method", {
      OperationName: "evaluateToolCall",
      AuthorizationType: "AWS_IAM",
    });
  });

  it("lets identity-pool humans invoke exactly the shared IAM routes", () => {
    // Assess
    const policy = Object.values(template.findResources("AWS::IAM::Policy")).find((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes("execute-api:Invoke"),
    );
    const text = JSON.stringify(policy?.Properties.PolicyDocument);
    for (const path of [
      "/GET/v1/tasks/*/approvals/*",
      "/GET/v1/tasks/*",
      "/GET/v1/tasks/*/events",
      "/GET/v1/repos/*/policies",
      "/POST/v1/repos/*/policies/evaluate",
    ]) {
      expect(text).toContain(`${path}"`);
    }
    expect(text).not.toContain("/POST/v1/tasks/*/tool-calls");
  });

  it("throttles the stage, logs access and validates requests", () => {
    // Assess
    template.hasResourceProperties("AWS::ApiGateway::Stage", {
      MethodSettings: Match.arrayWith([
        Match.objectLike({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100, LoggingLevel: "ERROR" }),
      ]),
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
    template.hasResourceProperties("AWS::ApiGateway::RequestValidator", {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    template.hasResourceProperties("AWS::ApiGateway::Method", {
      OperationName: "getApproval",
      RequestParameters: { "method.request.path.task_id": true, "method.request.path.request_id": true },
    });
  });

  it.each([
    ["MISSING_AUTHENTICATION_TOKEN", "401", "UNAUTHENTICATED"],
    ["UNAUTHORIZED", "401", "UNAUTHENTICATED"],
    ["ACCESS_DENIED", "403", "FORBIDDEN"],
    ["THROTTLED", "429", "RATE_LIMITED"],
    ["RESOURCE_NOT_FOUND", "404", "NOT_FOUND"],
  ])("rewrites API Gateway's %s into the error envelope", (type, status, code) => {
    // Act
    const responses = Object.values(
      template.findResources("AWS::ApiGateway::GatewayResponse", { Properties: { ResponseType: type } }),
    );

    // Assess
    expect(responses).toHaveLength(1);
    const properties = responses[0]?.Properties;
    expect(properties.StatusCode).toBe(status);
    const body: unknown = JSON.parse(properties.ResponseTemplates["application/json"]);
    expect(body).toEqual({ error: { code, message: expect.any(String), request_id: "$context.requestId" } });
  });

  it("answers unknown paths with a 404 NOT_FOUND envelope from a mock", () => {
    // Assess
    const [proxy] = Object.entries(
      template.findResources("AWS::ApiGateway::Resource", { Properties: { PathPart: "{proxy+}" } }),
    );
    expect(proxy).toBeDefined();
    template.hasResourceProperties("AWS::ApiGateway::Method", {
      HttpMethod: "ANY",
      ResourceId: { Ref: proxy?.[0] },
      AuthorizationType: "NONE",
      Integration: Match.objectLike({
        Type: "MOCK",
        IntegrationResponses: [
          Match.objectLike({
            StatusCode: "404",
            ResponseTemplates: { "application/json": Match.stringLikeRegexp('"code":"NOT_FOUND"') },
          }),
        ],
      }),
    });
  });
});

/** The stage's method settings, keyed by resource path and method as CloudFormation writes them. */
function methodSettings(
  of: Template,
): Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> {
  const [stage] = Object.values(of.findResources("AWS::ApiGateway::Stage"));
  const settings = (stage?.Properties.MethodSettings ?? []) as {
    ResourcePath: string;
    HttpMethod: string;
    ThrottlingRateLimit?: number;
    ThrottlingBurstLimit?: number;
  }[];
  return Object.fromEntries(settings.map((s) => [`${s.HttpMethod} ${s.ResourcePath}`, s]));
}

/** How CloudFormation writes a route's resource path in method settings. */
const settingsPath = (path: string) => `/${path.replaceAll("/", "~1")}`;

describe("throttles per door", () => {
  it("gives every unauthenticated route and the 404 mocks a budget of their own, under the stage's", () => {
    // Act
    const settings = methodSettings(template);

    // Assess
    const stage = settings["* /*"];
    expect(stage).toMatchObject({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 });
    const doors = [
      ...ROUTES.filter((r) => routeAuth(r, "iam") === "none").map(
        (r) => `${r.method} ${settingsPath(r.path)}`,
      ),
      "* /",
      "* /~1{proxy+}",
    ];
    for (const door of doors) {
      expect(settings[door]?.ThrottlingRateLimit).toBeLessThan(50);
      expect(settings[door]?.ThrottlingBurstLimit).toBeLessThan(100);
    }
  });

  it("leaves the evaluate and decide routes on the stage's budget, apart from the unauthenticated doors", () => {
    // Act
    const settings = methodSettings(template);

    // Assess
    expect(settings["POST /~1v1~1tasks~1{task_id}~1tool-calls"]).toBeUndefined();
    expect(settings["POST /~1v1~1tasks~1{task_id}~1approve"]).toBeUndefined();
  });

  it("takes door budgets from props", () => {
    // Act
    const custom = synthTemplate({ throttleRateLimit: 200, throttleBurstLimit: 400 });

    // Assess
    expect(methodSettings(custom)["* /*"]).toMatchObject({
      ThrottlingRateLimit: 200,
      ThrottlingBurstLimit: 400,
    });
    expect(methodSettings(custom)["GET /~1v1~1health"]).toMatchObject({ ThrottlingRateLimit: 10 });
  });

  it("adds no web ACL by default, and a rate-based one per client IP on the stage by prop", () => {
    // Act
    const guarded = synthTemplate({ webAclRatePerIp: 2000 });

    // Assess
    template.resourceCountIs("AWS::WAFv2::WebACL", 0);
    guarded.hasResourceProperties("AWS::WAFv2::WebACL", {
      Scope: "REGIONAL",
      DefaultAction: { Allow: {} },
      Rules: [
        Match.objectLike({
          Statement: { RateBasedStatement: Match.objectLike({ Limit: 2000, AggregateKeyType: "IP" }) },
          Action: { Block: { CustomResponse: Match.objectLike({ ResponseCode: 429 }) } },
        }),
      ],
    });
    const [stageId] = Object.keys(guarded.findResources("AWS::ApiGateway::Stage"));
    const [aclId] = Object.keys(guarded.findResources("AWS::WAFv2::WebACL"));
    const [association] = Object.values(guarded.findResources("AWS::WAFv2::WebACLAssociation"));
    expect(association?.Properties.WebACLArn).toEqual({ "Fn::GetAtt": [aclId, "Arn"] });
    expect(JSON.stringify(association?.Properties.ResourceArn)).toContain(`"${stageId}"`);
  });
});

describe("concurrency", () => {
  /** The function whose description names its purpose. */
  const fn = (of: Template, purpose: string) =>
    Object.values(of.findResources("AWS::Lambda::Function")).find(
      (f) => f.Properties.Description === `Approval Gates: ${purpose}`,
    )?.Properties ?? {};

  it("reserves nothing by default, so the stack deploys in an account whose quota is 10", () => {
    // Assess
    for (const f of Object.values(template.findResources("AWS::Lambda::Function"))) {
      expect(f.Properties.ReservedConcurrentExecutions).toBeUndefined();
    }
  });

  it("gives the wait function its own limit and reserves capacity for evaluate and decide by props", () => {
    // Act
    const sized = synthTemplate({ waitConcurrency: 200, evaluateConcurrency: 100, decideConcurrency: 20 });

    // Assess
    expect(fn(sized, "wait API").ReservedConcurrentExecutions).toBe(200);
    expect(fn(sized, "agent API").ReservedConcurrentExecutions).toBe(100);
    expect(fn(sized, "human API").ReservedConcurrentExecutions).toBe(20);
    expect(fn(sized, "shared API").ReservedConcurrentExecutions).toBeUndefined();
  });

  it.each([10, 200, 15_000])(
    "sizes the wait door's throttle to a wait limit of %p, so API Gateway refuses first",
    (limit) => {
      // Act
      const sized = synthTemplate({ waitConcurrency: limit });

      // Assess
      const wait = methodSettings(sized)["GET /~1v1~1tasks~1{task_id}~1approvals~1{request_id}"];
      const rate = wait?.ThrottlingRateLimit ?? Number.NaN;
      const burst = wait?.ThrottlingBurstLimit ?? Number.NaN;
      // A poll holds its function for up to 25 s; the door still lets a steady 60 % of the limit wait.
      expect(burst + 25 * rate).toBeLessThanOrEqual(limit);
      expect(25 * rate).toBeGreaterThanOrEqual(0.6 * limit);
    },
  );

  it("stops the synth when reservations do not fit the account's quota with Lambda's 100 unreserved", () => {
    // Act, Assess
    expect(() =>
      synthTemplate({ waitConcurrency: 200, evaluateConcurrency: 100, lambdaConcurrencyQuota: 1000 }),
    ).not.toThrow();
    expect(() =>
      synthTemplate({ waitConcurrency: 50, evaluateConcurrency: 10, lambdaConcurrencyQuota: 150 }),
    ).toThrow(/quota of at least 160/);
  });
});
