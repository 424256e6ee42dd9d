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
