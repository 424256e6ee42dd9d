import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import {
  ApproveBodySchema,
  CreateTaskBodySchema,
  EvaluateBodySchema,
  LIMITS,
  WaitQuerySchema,
} from "../../contracts/api";
import * as inputs from "../../contracts/inputs";
import { createHttpApp, type HttpLogger } from "../../lambdas/adapters/http/http-app";
import {
  type AnyOperation,
  type OperationRequest,
  type OperationResult,
  type Operations,
  parseWith,
  type RouterRequest,
} from "../../lambdas/adapters/http/operation";
import {
  type FieldProblem,
  ForbiddenError,
  GatesError,
  GrantNotFoundError,
  InvalidJsonError,
  PayloadTooLargeError,
  PolicyInvalidError,
  RateLimitedError,
  RequestAlreadyDecidedError,
  RequestNotFoundError,
  RouteNotFoundError,
  ServiceUnavailableError,
  SlackAlreadyLinkedError,
  TaskExistsError,
  TaskNotActiveError,
  TaskNotFoundError,
  UnauthenticatedError,
  ValidationError,
} from "../../lambdas/core/errors";
import type { RouteDef } from "../../lambdas/routes";

type Caller = "none" | "agent" | "human" | "admin";

const ULID = "01ARZ3NDEKTSV4RRFFQ69G5FAV";

/** A REST v1 proxy event as API Gateway sends it, with the caller put where its authorizers put it. */
function apiEvent(
  overrides: Partial<APIGatewayProxyEvent> = {},
  caller: Caller = "agent",
): APIGatewayProxyEvent {
  const claims =
    caller === "human"
      ? { sub: "alice" }
      : caller === "admin"
        ? { sub: "root", "cognito:groups": "gates-admins" }
        : null;
  const base: APIGatewayProxyEvent = {
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
      accountId: "123456789012",
      apiId: "api",
      authorizer: claims === null ? null : { claims },
      protocol: "HTTP/1.1",
      httpMethod: "GET",
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: "10.0.0.1",
        user: null,
        userAgent: null,
        userArn: caller === "agent" ? "arn:aws:iam::123456789012:role/agent" : null,
      },
      path: "/v1/health",
      stage: "v1",
      requestId: "req-1",
      requestTimeEpoch: 0,
      resourceId: "res",
      resourcePath: "/v1/health",
    },
  };
  return { ...base, ...overrides };
}

/** A POST to the agent's create-task route carrying `body`. */
const createTaskEvent = (body: string | null, extra: Partial<APIGatewayProxyEvent> = {}) =>
  apiEvent({ resource: "/v1/tasks", path: "/v1/tasks", httpMethod: "POST", body, ...extra });

function recordingLogger() {
  const errors: { message: string; extra?: Record<string, unknown> }[] = [];
  const warnings: { message: string; extra?: Record<string, unknown> }[] = [];
  const logger: HttpLogger = {
    error: (message, ...extra) =>
      errors.push({ message, ...(extra[0] === undefined ? {} : { extra: extra[0] }) }),
    warn: (message, ...extra) =>
      warnings.push({ message, ...(extra[0] === undefined ? {} : { extra: extra[0] }) }),
  };
  return { logger, errors, warnings };
}

/**
 * An app whose every operation records its request and answers with `answer`. Its operations
 * declare no input, so they see the request as the router read it (`json`); the router's
 * parsing with a declared input has tests of its own below.
 */
function appWith(
  answer: (req: RouterRequest) => Promise<OperationResult> = async () => ({ status: 200, body: {} }),
) {
  const seen: RouterRequest[] = [];
  const op: AnyOperation = {
    input: {},
    handle: async (req) => {
      seen.push(req);
      return answer(req);
    },
  };
  const served = ["health", "createTask", "getApproval", "approve", "publishPolicies", "getPolicies"];
  const operations = Object.fromEntries(served.map((id) => [id, op])) as Operations;
  const log = recordingLogger();
  const app = createHttpApp({ operations, logger: log.logger, version: "1.2.3" });
  return { app, seen, ...log };
}

function errorOf(result: APIGatewayProxyResult) {
  return (JSON.parse(result.body) as { error: Record<string, unknown> }).error;
}

describe("createHttpApp routing", () => {
  it("passes decoded path parameters, query, lower-cased headers and the caller to the route's operation", async () => {
    // Prepare: the long-poll's own declared input.
    const seen: OperationRequest<"getApproval">[] = [];
    const operations: Operations = {
      getApproval: {
        input: inputs.getApproval,
        handle: async (req) => {
          seen.push(req);
          return { status: 201, body: { ok: true }, headers: { Location: "/x" } };
        },
      },
    };
    const app = createHttpApp({ operations, logger: recordingLogger().logger, version: "1" });
    const event = apiEvent({
      resource: "/v1/tasks/{task_id}/approvals/{request_id}",
      path: `/v1/tasks/T1/approvals/${ULID}`,
      pathParameters: { task_id: "T1", request_id: ULID },
      queryStringParameters: { wait_s: "5" },
      multiValueQueryStringParameters: { wait_s: ["5"] },
      headers: { "X-Trace": "abc" },
    });

    // Act
    const result = await app.resolve(event);

    // Assess
    expect(result.statusCode).toBe(201);
    expect(JSON.parse(result.body)).toEqual({ ok: true });
    expect(result.headers).toMatchObject({
      location: "/x",
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-request-id": "req-1",
    });
    expect(seen[0]).toEqual({
      requestId: "req-1",
      principal: { kind: "agent", id: "arn:aws:iam::123456789012:role/agent" },
      path: { task_id: "T1", request_id: ULID },
      query: { wait_s: 5 },
      body: undefined,
      json: {},
      rawBody: "",
      headers: { "x-trace": "abc" },
    });
  });

  it.each([
    [
      "an unknown path",
      apiEvent({ resource: "/v1/x", path: "/v1/x", httpMethod: "POST" }),
      "No route POST /v1/x",
    ],
    ["a known path with another method", apiEvent({ httpMethod: "DELETE" }), "No route DELETE /v1/health"],
    [
      "a route whose operation this Lambda does not serve",
      apiEvent({ resource: "/v1/pending", path: "/v1/pending" }, "human"),
      "No route GET /v1/pending",
    ],
  ])("answers 404 NOT_FOUND for %s", async (_name, event, message) => {
    // Prepare
    const { app, seen } = appWith();

    // Act
    const result = await app.resolve(event);

    // Assess
    expect(result.statusCode).toBe(404);
    expect(errorOf(result)).toEqual({
      code: "NOT_FOUND",
      message: `${message}; see the API reference in README.`,
      request_id: "req-1",
    });
    expect(seen).toHaveLength(0);
  });

  it("does not mistake an Object.prototype member for an operation", async () => {
    // Prepare
    const routes: RouteDef[] = [
      { operation: "toString", method: "GET", path: "/v1/health", principals: "anyone", group: "public" },
    ];
    const app = createHttpApp({ operations: {}, routes, logger: recordingLogger().logger, version: "1" });

    // Act
    const result = await app.resolve(apiEvent());

    // Assess
    expect(result.statusCode).toBe(404);
  });
});

describe("createHttpApp authorization", () => {
  const routeEvents = {
    agent: createTaskEvent("{}"),
    human: apiEvent({
      resource: "/v1/tasks/{task_id}/approve",
      httpMethod: "POST",
      pathParameters: { task_id: "T" },
    }),
    admin: apiEvent({ resource: "/v1/repos/{repo_id}/policies", httpMethod: "PUT" }),
    either: apiEvent({ resource: "/v1/repos/{repo_id}/policies" }),
  };

  it.each<{ name: string; event: APIGatewayProxyEvent; caller: Caller; status: number; code?: string }>([
    {
      name: "no credentials on an agent route",
      event: routeEvents.agent,
      caller: "none",
      status: 401,
      code: "UNAUTHENTICATED",
    },
    {
      name: "no credentials on a human route",
      event: routeEvents.human,
      caller: "none",
      status: 401,
      code: "UNAUTHENTICATED",
    },
    {
      name: "an agent on a human route",
      event: routeEvents.human,
      caller: "agent",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "a human on an agent route",
      event: routeEvents.agent,
      caller: "human",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "an admin on an agent route",
      event: routeEvents.agent,
      caller: "admin",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "a non-admin human on an admin route",
      event: routeEvents.admin,
      caller: "human",
      status: 403,
      code: "FORBIDDEN",
    },
    {
      name: "an agent on an admin route",
      event: routeEvents.admin,
      caller: "agent",
      status: 403,
      code: "FORBIDDEN",
    },
    { name: "an agent on an agent route", event: routeEvents.agent, caller: "agent", status: 200 },
    { name: "a human on a human route", event: routeEvents.human, caller: "human", status: 200 },
    { name: "an admin on a human route", event: routeEvents.human, caller: "admin", status: 200 },
    { name: "an admin on an admin route", event: routeEvents.admin, caller: "admin", status: 200 },
    { name: "a human on an agent-or-human route", event: routeEvents.either, caller: "human", status: 200 },
    { name: "an agent on an agent-or-human route", event: routeEvents.either, caller: "agent", status: 200 },
  ])("$name answers $status", async ({ event, caller, status, code }) => {
    // Prepare
    const { app } = appWith();
    const authorizer = apiEvent({}, caller).requestContext;

    // Act
    const result = await app.resolve({ ...event, requestContext: authorizer });

    // Assess
    expect(result.statusCode).toBe(status);
    if (code !== undefined) {
      expect(errorOf(result).code).toBe(code);
    }
  });

  it("says which kind of caller a refused route is for", async () => {
    // Prepare
    const { app, warnings } = appWith();

    // Act
    const result = await app.resolve({
      ...routeEvents.human,
      requestContext: apiEvent({}, "agent").requestContext,
    });

    // Assess
    expect(errorOf(result).message).toBe(
      "POST /v1/tasks/{task_id}/approve is for humans (Cognito users); you are calling as an agent.",
    );
    expect(warnings[0]?.extra).toMatchObject({ request_id: "req-1", code: "FORBIDDEN" });
  });

  it("lets anyone call an `anyone` route without credentials, with no principal", async () => {
    // Prepare
    const { app, seen } = appWith(async () => ({ status: 200, body: { status: "ok" } }));

    // Act
    const result = await app.resolve(apiEvent({}, "none"));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen[0]?.principal).toBeUndefined();
  });

  it("never takes the caller from headers", async () => {
    // Prepare
    const { app } = appWith();
    const event = createTaskEvent("{}", {
      headers: { Authorization: "Bearer local:agent:a", "x-principal": "agent" },
    });

    // Act
    const result = await app.resolve({ ...event, requestContext: apiEvent({}, "none").requestContext });

    // Assess
    expect(result.statusCode).toBe(401);
  });

  it.each<[string, unknown, boolean, string[]]>([
    ["an array", ["readers", "gates-admins"], true, ["readers", "gates-admins"]],
    ["a comma-separated string", "readers,gates-admins", true, ["readers", "gates-admins"]],
    ["a bracketed space-separated string", "[readers gates-admins]", true, ["readers", "gates-admins"]],
    ["a single group", "gates-admins", true, ["gates-admins"]],
    ["other groups only", "[readers writers]", false, ["readers", "writers"]],
    ["a group that merely contains the name", "gates-admins-old", false, ["gates-admins-old"]],
    ["no groups claim", undefined, false, []],
  ])("reads Cognito groups given as %s", async (_name, groups, admin, expectedGroups) => {
    // Prepare
    const { app, seen } = appWith();
    const claims = groups === undefined ? { sub: "u1" } : { sub: "u1", "cognito:groups": groups };
    const base = apiEvent({}, "none");

    // Act
    await app.resolve({ ...base, requestContext: { ...base.requestContext, authorizer: { claims } } });

    // Assess
    expect(seen[0]?.principal).toEqual({ kind: "human", id: "u1", admin, groups: expectedGroups });
  });

  it.each<[string, unknown, number | undefined]>([
    ["a string, as API Gateway hands claims over", "1800000000", 1800000000],
    ["a number", 1800000000, 1800000000],
    ["a date string", "Fri Jan 15 08:00:00 UTC 2027", undefined],
    ["a negative number", "-5", undefined],
    ["no claim", undefined, undefined],
  ])("reads the id token's auth_time given as %s", async (_name, authTime, expected) => {
    // Prepare
    const { app, seen } = appWith();
    const claims = authTime === undefined ? { sub: "u1" } : { sub: "u1", auth_time: authTime };
    const base = apiEvent({}, "none");

    // Act
    await app.resolve({ ...base, requestContext: { ...base.requestContext, authorizer: { claims } } });

    // Assess
    expect(seen[0]?.principal).toEqual({
      kind: "human",
      id: "u1",
      admin: false,
      groups: [],
      ...(expected !== undefined ? { authTime: expected } : {}),
    });
  });
});

describe("createHttpApp identity-pool callers", () => {
  const POOL_PROVIDER =
    "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC,cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbC:CognitoSignIn:";

  function withIdentity(
    identity: Partial<APIGatewayProxyEvent["requestContext"]["identity"]>,
  ): APIGatewayProxyEvent {
    const base = apiEvent({}, "none");
    return {
      ...base,
      requestContext: { ...base.requestContext, identity: { ...base.requestContext.identity, ...identity } },
    };
  }

  it("takes a human signing with identity-pool credentials as that user, not as the pool's role", async () => {
    // Prepare
    const { app, seen } = appWith();
    const event = withIdentity({
      cognitoAuthenticationType: "authenticated",
      cognitoAuthenticationProvider: `${POOL_PROVIDER}sub-123`,
      userArn: "arn:aws:sts::123456789012:assumed-role/IdentityPoolAuthRole/CognitoIdentityCredentials",
    });

    // Act
    await app.resolve(event);

    // Assess
    expect(seen[0]?.principal).toEqual({ kind: "human", id: "sub-123", admin: false });
  });

  it.each([
    [
      "an unauthenticated identity",
      { cognitoAuthenticationType: "unauthenticated", cognitoAuthenticationProvider: null },
    ],
    [
      "a provider without a user",
      { cognitoAuthenticationType: "authenticated", cognitoAuthenticationProvider: POOL_PROVIDER },
    ],
  ])("treats %s as no caller, never as the role's agent", async (_name, identity) => {
    // Prepare
    const { app } = appWith();
    const event = withIdentity({ ...identity, userArn: "arn:aws:sts::123456789012:assumed-role/Unauth/x" });

    // Act
    const result = await app.resolve({
      ...event,
      resource: "/v1/tasks",
      path: "/v1/tasks",
      httpMethod: "POST",
      body: "{}",
    });

    // Assess
    expect(result.statusCode).toBe(401);
  });
});

describe("createHttpApp body and query", () => {
  it("answers 413 when the body is over the limit in bytes, though not in characters", async () => {
    // Prepare
    const { app, seen } = appWith();
    const body = JSON.stringify({ description: "é".repeat(LIMITS.maxBodyBytes / 2) });

    // Act
    const result = await app.resolve(createTaskEvent(body));

    // Assess
    expect(body.length).toBeLessThan(LIMITS.maxBodyBytes);
    expect(result.statusCode).toBe(413);
    expect(errorOf(result).code).toBe("PAYLOAD_TOO_LARGE");
    expect(seen).toHaveLength(0);
  });

  it("accepts a body of exactly the limit", async () => {
    // Prepare
    const { app, seen } = appWith();
    const padding = "x".repeat(LIMITS.maxBodyBytes - JSON.stringify({ p: "" }).length);

    // Act
    const result = await app.resolve(createTaskEvent(JSON.stringify({ p: padding })));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen[0]?.json).toEqual({ p: padding });
  });

  it.each([
    ["an array", "[]"],
    ["a string", '"x"'],
    ["null", "null"],
    ["a number", "42"],
    ["broken JSON", "{"],
  ])("answers 400 INVALID_JSON for %s", async (_name, body) => {
    // Prepare
    const { app } = appWith();

    // Act
    const result = await app.resolve(createTaskEvent(body));

    // Assess
    expect(result.statusCode).toBe(400);
    expect(errorOf(result).code).toBe("INVALID_JSON");
    expect(errorOf(result).message).toContain("send a JSON object");
  });

  it.each([
    ["arrays", (n: number) => `${"[".repeat(n)}${"]".repeat(n)}`],
    ["objects", (n: number) => `${'{"k":'.repeat(n)}1${"}".repeat(n)}`],
    ["arrays and objects", (n: number) => `${'[{"k":'.repeat(n / 2)}1${"}]".repeat(n / 2)}`],
  ])(
    "answers 400 VALIDATION_ERROR naming the field where %s nest too deep, before any operation runs",
    async (_kind, nested) => {
      // Prepare: far deeper than any stack could walk, in a body well under the size limit.
      const { app, seen } = appWith();
      const body = `{"owner":"alice","tool_input":${nested(30_000)}}`;

      // Act
      const result = await app.resolve(createTaskEvent(body));

      // Assess
      expect(result.statusCode).toBe(400);
      expect(errorOf(result)).toMatchObject({
        code: "VALIDATION_ERROR",
        details: { fields: [{ field: "tool_input", message: expect.stringContaining("64 levels deep") }] },
      });
      expect(seen).toHaveLength(0);
    },
  );

  it("accepts a body nested exactly to the limit", async () => {
    // Prepare: the body is level 1, so its field may hold 63 levels.
    const { app, seen } = appWith();
    const body = `{"tool_input":${"[".repeat(LIMITS.maxJsonDepth - 1)}${"]".repeat(LIMITS.maxJsonDepth - 1)}}`;

    // Act
    const result = await app.resolve(createTaskEvent(body));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen).toHaveLength(1);
  });

  it("decodes a base64 body", async () => {
    // Prepare
    const { app, seen } = appWith();
    const body = Buffer.from('{"owner":"ålice"}').toString("base64");

    // Act
    await app.resolve(createTaskEvent(body, { isBase64Encoded: true }));

    // Assess
    expect(seen[0]?.json).toEqual({ owner: "ålice" });
  });

  it("answers INVALID_JSON for a base64 body that is not UTF-8", async () => {
    // Prepare
    const { app } = appWith();

    // Act
    const result = await app.resolve(
      createTaskEvent(Buffer.from([0x7b, 0xff, 0x7d]).toString("base64"), { isBase64Encoded: true }),
    );

    // Assess
    expect(errorOf(result).code).toBe("INVALID_JSON");
  });

  it.each([
    ["an absent body", createTaskEvent(null)],
    ["an empty body", createTaskEvent("")],
    ["a GET with a body", apiEvent({ body: "not json" })],
  ])("hands the operation {} for %s", async (_name, event) => {
    // Prepare
    const { app, seen } = appWith();

    // Act
    const result = await app.resolve(event);

    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen[0]?.json).toEqual({});
  });

  it("keeps a __proto__ key as an own property and pollutes no prototype", async () => {
    // Prepare
    const { app, seen } = appWith();

    // Act
    await app.resolve(createTaskEvent('{"__proto__":{"polluted":true},"a":1}'));

    // Assess
    const body = seen[0]?.json as Record<string, unknown>;
    expect(Object.hasOwn(body, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("answers 400 VALIDATION_ERROR naming a repeated query key", async () => {
    // Prepare
    const { app, seen } = appWith();
    const event = apiEvent({
      queryStringParameters: { wait_s: "2", x: "1" },
      multiValueQueryStringParameters: { wait_s: ["1", "2"], x: ["1"] },
    });

    // Act
    const result = await app.resolve(event);

    // Assess
    expect(result.statusCode).toBe(400);
    expect(errorOf(result)).toMatchObject({
      code: "VALIDATION_ERROR",
      details: { fields: [{ field: "wait_s", message: "repeated; send it once" }] },
    });
    expect(seen).toHaveLength(0);
  });
});

class InternalTestError extends GatesError {
  readonly code = "INTERNAL_ERROR";
}

describe("createHttpApp error mapping", () => {
  it.each<{ error: GatesError; status: number; details?: Record<string, unknown> }>([
    { error: new InvalidJsonError("bad json"), status: 400 },
    {
      error: new ValidationError("bad", [{ field: "owner", message: "required" }]),
      status: 400,
      details: { fields: [{ field: "owner", message: "required" }] },
    },
    { error: new UnauthenticatedError("who"), status: 401 },
    { error: new ForbiddenError("no"), status: 403 },
    { error: new RouteNotFoundError("none"), status: 404 },
    { error: new TaskNotFoundError("T"), status: 404 },
    { error: new RequestNotFoundError("T", "R"), status: 404 },
    { error: new GrantNotFoundError("tool:Bash"), status: 404 },
    { error: new TaskExistsError("T"), status: 409 },
    { error: new RequestAlreadyDecidedError("R", "APPROVED"), status: 409, details: { status: "APPROVED" } },
    { error: new TaskNotActiveError("T", "CANCELLED"), status: 409, details: { status: "CANCELLED" } },
    { error: new SlackAlreadyLinkedError("linked"), status: 409 },
    { error: new PayloadTooLargeError("big"), status: 413 },
    {
      error: new PolicyInvalidError([{ message: "bad" }]),
      status: 422,
      details: { diagnostics: [{ message: "bad" }] },
    },
    { error: new RateLimitedError("approvals", 12), status: 429 },
  ])("maps $error.code to $status with its message and details", async ({ error, status, details }) => {
    // Prepare
    const { app, errors } = appWith(async () => {
      throw error;
    });

    // Act
    const result = await app.resolve(apiEvent());

    // Assess
    expect(result.statusCode).toBe(status);
    expect(errorOf(result)).toEqual({
      code: error.code,
      message: error.message,
      request_id: "req-1",
      ...(details === undefined ? {} : { details }),
    });
    expect(result.headers?.["x-request-id"]).toBe("req-1");
    expect(errors).toHaveLength(0);
  });

  it("sets retry-after on 429 from the error", async () => {
    // Prepare
    const { app } = appWith(async () => {
      throw new RateLimitedError("approvals", 17);
    });

    // Act
    const result = await app.resolve(apiEvent());

    // Assess
    expect(result.headers?.["retry-after"]).toBe("17");
  });

  it("answers 503 with the error's generic message and logs its cause", async () => {
    // Prepare
    const { app, errors } = appWith(async () => {
      throw new ServiceUnavailableError(new Error("ProvisionedThroughputExceeded on table x"));
    });

    // Act
    const result = await app.resolve(apiEvent());

    // Assess
    expect(result.statusCode).toBe(503);
    expect(errorOf(result)).toEqual({
      code: "SERVICE_UNAVAILABLE",
      message: new ServiceUnavailableError().message,
      request_id: "req-1",
    });
    expect(result.body).not.toContain("ProvisionedThroughput");
    expect(errors[0]?.extra).toMatchObject({
      request_id: "req-1",
      cause: { message: "ProvisionedThroughputExceeded on table x" },
    });
  });

  it.each<[string, () => never]>([
    [
      "a thrown TypeError",
      () => {
        throw new TypeError("cannot read x of undefined");
      },
    ],
    [
      "a thrown string",
      () => {
        throw "boom";
      },
    ],
    [
      "an INTERNAL_ERROR GatesError",
      () => {
        throw new InternalTestError("secret detail");
      },
    ],
  ])(
    "answers 500 with a generic message for %s and logs the cause, never the stack",
    async (_name, thrower) => {
      // Prepare
      const { app, errors } = appWith(async () => thrower());

      // Act
      const result = await app.resolve(apiEvent());

      // Assess
      expect(result.statusCode).toBe(500);
      expect(errorOf(result)).toEqual({
        code: "INTERNAL_ERROR",
        message: "Something went wrong on our side; quote request id req-1.",
        request_id: "req-1",
      });
      expect(result.body).not.toMatch(/at |cannot read|boom|secret/);
      expect(errors[0]?.extra).toMatchObject({ request_id: "req-1", version: "1.2.3" });
      expect(JSON.stringify(errors[0]?.extra)).toMatch(/cannot read|boom|secret/);
    },
  );

  it("logs the name, message and stack of an unexpected error", async () => {
    // Prepare
    const { app, errors } = appWith(async () => {
      throw new RangeError("index out of range");
    });

    // Act
    await app.resolve(apiEvent());

    // Assess
    expect(errors[0]?.extra?.error).toEqual({
      name: "RangeError",
      message: "index out of range",
      stack: expect.stringContaining("index out of range"),
    });
  });

  it("answers 500 when the operation's body cannot be JSON", async () => {
    // Prepare
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const { app } = appWith(async () => ({ status: 200, body: cyclic }));

    // Act
    const result = await app.resolve(apiEvent());

    // Assess
    expect(result.statusCode).toBe(500);
  });

  it("still answers when the event is malformed and the logger throws", async () => {
    // Prepare
    const throwing: HttpLogger = {
      error: () => {
        throw new Error("logger down");
      },
    };
    const app = createHttpApp({ operations: {}, logger: throwing, version: "1" });

    // Act
    const result = await app.resolve(null as unknown as APIGatewayProxyEvent);

    // Assess
    expect(result.statusCode).toBe(500);
    expect(result.headers?.["x-request-id"]).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
  });

  it("mints a ULID request id when the request context has none", async () => {
    // Prepare
    const { app } = appWith();
    const base = apiEvent({ resource: "/v1/nope" });

    // Act
    const result = await app.resolve({ ...base, requestContext: { ...base.requestContext, requestId: "" } });

    // Assess
    const id = result.headers?.["x-request-id"];
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(errorOf(result).request_id).toBe(id);
  });
});

describe("parseWith", () => {
  function problemsOf(run: () => unknown): { message: string; fields: readonly FieldProblem[] } {
    try {
      run();
    } catch (err) {
      if (err instanceof ValidationError) {
        return { message: err.message, fields: err.fields };
      }
      throw err;
    }
    throw new Error("expected a ValidationError");
  }

  it("returns the parsed value when it is valid", () => {
    // Act
    const parsed = parseWith(WaitQuerySchema, { wait_s: "7" }, "query");

    // Assess
    expect(parsed).toEqual({ wait_s: 7 });
  });

  it("lists missing, invalid and unknown fields with paths callers can find", () => {
    // Act
    const { message, fields } = problemsOf(() =>
      parseWith(
        CreateTaskBodySchema,
        { repo: "acme/app", approvers: ["a", "b", "c d"], extra: 1, colour: 2 },
        "body",
      ),
    );

    // Assess
    expect(fields).toEqual([
      { field: "owner", message: "required; add it (a string)" },
      { field: "approvers[2]", message: "must be a non-empty id without spaces or control characters" },
      { field: "extra", message: "unknown field; remove it (check its spelling)" },
      { field: "colour", message: "unknown field; remove it (check its spelling)" },
    ]);
    expect(message).toBe(
      "The request body has 4 problem(s): owner: required; add it (a string) (and 3 more); see details.fields.",
    );
  });

  it.each<[string, () => unknown, FieldProblem]>([
    [
      "a wrong type",
      () => parseWith(EvaluateBodySchema, { tool_name: "Bash", tool_input: [] }, "body"),
      {
        field: "tool_input",
        message: "must be a JSON object, not an array",
      },
    ],
    [
      "a string too long",
      () => parseWith(EvaluateBodySchema, { tool_name: "x".repeat(129), tool_input: {} }, "body"),
      {
        field: "tool_name",
        message: "must be at most 128 characters long",
      },
    ],
    [
      "a fraction for an integer",
      () => parseWith(CreateTaskBodySchema, { owner: "o", repo: "r", approval_timeout_s: 30.5 }, "body"),
      {
        field: "approval_timeout_s",
        message: "must be a whole number, not a fraction",
      },
    ],
    [
      "a number out of range",
      () => parseWith(WaitQuerySchema, { wait_s: "26" }, "query"),
      {
        field: "wait_s",
        message: "must be at most 25",
      },
    ],
    [
      "an unknown query key",
      () => parseWith(WaitQuerySchema, { wait: "1" }, "query"),
      {
        field: "wait",
        message: "unknown field; remove it (check its spelling)",
      },
    ],
    [
      "a key that is not an identifier",
      () => parseWith(ApproveBodySchema, { request_id: "01ARZ3NDEKTSV4RRFFQ69G5FAV", "a b": 1 }, "body"),
      {
        field: '["a b"]',
        message: "unknown field; remove it (check its spelling)",
      },
    ],
  ])("describes %s", (_name, run, problem) => {
    // Act
    const { fields } = problemsOf(run);

    // Assess
    expect(fields).toEqual([problem]);
  });

  it("names the whole body when the body itself has the wrong type", () => {
    // Act
    const { fields } = problemsOf(() => parseWith(ApproveBodySchema, "x", "body"));

    // Assess
    expect(fields).toEqual([{ field: "body", message: "must be a JSON object, not a string" }]);
  });
});
