import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import * as governanceInputs from "../../contracts/governance-inputs";
import type { OperationInput } from "../../contracts/inputs";
import * as inputs from "../../contracts/inputs";
import { INPUTS } from "../../contracts/operations";
import { createHttpApp } from "../../lambdas/adapters/http/http-app";
import type { OperationRequest, Operations } from "../../lambdas/adapters/http/operation";
import { ROUTES, type RouteDef } from "../../lambdas/routes";

const ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

/** A request as API Gateway hands it to the router, from an admin (who is admitted everywhere humans are). */
function adminEvent(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    resource: "/v1/health",
    path: "/v1/health",
    httpMethod: "GET",
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: null,
    isBase64Encoded: false,
    requestContext: {
      requestId: "req-1",
      authorizer: { claims: { sub: "root", "cognito:groups": "gates-admins" } },
    } as unknown as APIGatewayProxyEvent["requestContext"],
    ...overrides,
  };
}

/** The router serving only `operations`. */
function serving(operations: Operations) {
  return createHttpApp({ operations, logger: { error: () => undefined }, version: "t" });
}

function errorOf(result: APIGatewayProxyResult) {
  return (JSON.parse(result.body) as { error: Record<string, unknown> }).error;
}

describe("operation inputs, declared once", () => {
  it("name exactly the path parameters of each operation's route", () => {
    // Act
    const mismatched = ROUTES.filter((route) => {
      const inPath = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      const input: OperationInput = INPUTS[route.operation];
      return JSON.stringify(inPath) !== JSON.stringify(Object.keys(input.path ?? {}).sort());
    });

    // Assess
    expect(mismatched.map((r) => r.operation)).toEqual([]);
  });

  it("take a raw body exactly on Slack's routes, which carry no caller identity", () => {
    // Act
    const raw = ROUTES.filter((r) => "rawBody" in INPUTS[r.operation]).map((r) => r.operation);
    const slack = ROUTES.filter((r: RouteDef) => r.principals !== "anyone" && r.principals.includes("slack"));

    // Assess
    expect(raw).toEqual(slack.map((r) => r.operation));
  });

  it("export nothing but one input per operation, so INPUTS is exactly the operations", () => {
    // Act
    const exported = [...Object.keys(inputs), ...Object.keys(governanceInputs)].sort();

    // Assess
    expect(exported).toEqual(ROUTES.map((r) => r.operation).sort());
  });
});

describe("the router with an operation's declared input", () => {
  it("refuses a path parameter its schema rejects with 400 naming it, before the operation runs", async () => {
    // Prepare
    let ran = 0;
    const app = serving({
      getTask: {
        input: inputs.getTask,
        handle: async () => {
          ran += 1;
          return { status: 200, body: {} };
        },
      },
    });

    // Act
    const result = await app.resolve(
      adminEvent({
        resource: "/v1/tasks/{task_id}",
        path: "/v1/tasks/-bad",
        pathParameters: { task_id: "-bad" },
      }),
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({
      code: "VALIDATION_ERROR",
      message: expect.stringMatching(/^Path parameter task_id must be 1–128 characters/),
      details: { fields: [{ field: "task_id" }] },
    });
    expect(ran).toBe(0);
  });

  it("hands the operation the canonical layer id its schema rewrites a repo's spelling to", async () => {
    // Prepare
    const seen: OperationRequest<"getSettings">[] = [];
    const app = serving({
      getSettings: {
        input: governanceInputs.getSettings,
        handle: async (req) => {
          seen.push(req);
          return { status: 200, body: {} };
        },
      },
    });

    // Act
    await app.resolve(
      adminEvent({
        resource: "/v1/repos/{repo_id}/settings",
        path: "/v1/repos/Acme%2FApp.git/settings",
        pathParameters: { repo_id: "Acme/App.git" },
      }),
    );

    // Assess
    expect(seen[0]?.path).toEqual({ repo_id: "acme/app" });
    expect(seen[0]?.query).toEqual({});
  });

  it("refuses an unknown query key on an operation that takes none", async () => {
    // Prepare
    const app = serving({
      listLocks: { input: governanceInputs.listLocks, handle: async () => ({ status: 200, body: {} }) },
    });

    // Act
    const result = await app.resolve(
      adminEvent({
        resource: "/v1/locks",
        path: "/v1/locks",
        queryStringParameters: { limit: "5" },
        multiValueQueryStringParameters: { limit: ["5"] },
      }),
    );

    // Assess
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({
      code: "VALIDATION_ERROR",
      details: { fields: [{ field: "limit" }] },
    });
  });

  it("hands the operation both the parsed body and the JSON as sent", async () => {
    // Prepare
    const seen: OperationRequest<"evaluateToolCall">[] = [];
    const app = serving({
      evaluateToolCall: {
        input: inputs.evaluateToolCall,
        handle: async (req) => {
          seen.push(req);
          return { status: 200, body: {} };
        },
      },
    });
    const event = adminEvent({
      resource: "/v1/tasks/{task_id}/tool-calls",
      path: "/v1/tasks/T1/tool-calls",
      httpMethod: "POST",
      pathParameters: { task_id: "T1" },
      body: '{"tool_name":"Bash","tool_input":{"__proto__":{"x":1},"command":"ls"}}',
      requestContext: {
        requestId: "req-1",
        identity: { userArn: "arn:aws:iam::123456789012:role/agent" },
      } as unknown as APIGatewayProxyEvent["requestContext"],
    });

    // Act
    const result = await app.resolve(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen[0]?.principal).toEqual({ kind: "agent", id: "arn:aws:iam::123456789012:role/agent" });
    expect(seen[0]?.body.tool_name).toBe("Bash");
    const sent = seen[0]?.json as { tool_input: object } | undefined;
    expect(Object.hasOwn(sent?.tool_input ?? {}, "__proto__")).toBe(true);
  });

  it("answers every problem of a settings document as one 422 SETTINGS_INVALID", async () => {
    // Prepare
    let ran = 0;
    const app = serving({
      publishSettings: {
        input: governanceInputs.publishSettings,
        handle: async () => {
          ran += 1;
          return { status: 200, body: {} };
        },
      },
    });

    // Act
    const result = await app.resolve(
      adminEvent({
        resource: "/v1/repos/{repo_id}/settings",
        path: "/v1/repos/acme%2Fapp/settings",
        httpMethod: "PUT",
        pathParameters: { repo_id: "acme/app" },
        body: JSON.stringify({ settings: { min_approvals: "two" }, colour: 1 }),
      }),
    );

    // Assess
    expect(result.statusCode).toBe(422);
    const error = errorOf(result);
    expect(error.code).toBe("SETTINGS_INVALID");
    expect((error.details as { problems: unknown[] }).problems.length).toBeGreaterThanOrEqual(2);
    expect(ran).toBe(0);
  });

  it("parses both ids of an approval request's path", async () => {
    // Prepare
    const seen: OperationRequest<"withdrawApproval">[] = [];
    const app = serving({
      withdrawApproval: {
        input: inputs.withdrawApproval,
        handle: async (req) => {
          seen.push(req);
          return { status: 200, body: {} };
        },
      },
    });

    // Act
    await app.resolve(
      adminEvent({
        resource: "/v1/tasks/{task_id}/approvals/{request_id}/withdraw",
        path: `/v1/tasks/T1/approvals/${ULID}/withdraw`,
        httpMethod: "POST",
        pathParameters: { task_id: "T1", request_id: ULID },
        body: "{}",
        requestContext: {
          requestId: "req-1",
          identity: { userArn: "arn:aws:iam::123456789012:role/agent" },
        } as unknown as APIGatewayProxyEvent["requestContext"],
      }),
    );

    // Assess
    expect(seen[0]?.path).toEqual({ task_id: "T1", request_id: ULID });
    expect(seen[0]?.body).toEqual({});
  });
});
