import { Agent, request } from "node:http";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { LIMITS } from "../../contracts/api";
import * as inputs from "../../contracts/inputs";
import { createHttpApp } from "../../lambdas/adapters/http/http-app";
import { type ApiServer, startApiServer } from "../../local/api-server";

/** An app that answers every event with the event itself, and remembers it. */
function echoApp() {
  const events: APIGatewayProxyEvent[] = [];
  return {
    events,
    resolve: async (event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> => {
      events.push(event);
      return {
        statusCode: 200,
        headers: { "content-type": "application/json", "x-echo": "yes" },
        body: JSON.stringify(event),
      };
    },
  };
}

/** A GET through node:http, which (unlike fetch) can send one header several times. */
function rawRequest(
  server: ApiServer,
  path: string,
  headers: Record<string, string | string[]>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    request(`${server.url}${path}`, { headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        text += chunk;
      });
      res.on("end", () => resolve(text));
    })
      .on("error", reject)
      .end();
  });
}

/** Resolves to "closed" when the server closes within two seconds, else to "hung". */
async function closeWithin2s(server: ApiServer): Promise<string> {
  let timer: NodeJS.Timeout | undefined;
  const hung = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve("hung"), 2_000);
  });
  try {
    return await Promise.race([server.close().then(() => "closed"), hung]);
  } finally {
    clearTimeout(timer);
  }
}

async function fetchEvent(
  server: ApiServer,
  path: string,
  init?: RequestInit,
): Promise<APIGatewayProxyEvent> {
  const response = await fetch(`${server.url}${path}`, init);
  expect(response.status).toBe(200);
  return (await response.json()) as APIGatewayProxyEvent;
}

describe("startApiServer with an echoing app", () => {
  const app = echoApp();
  /** The server's clock: a local human token without a sign-in time counts as signed in now. */
  const NOW = new Date("2027-01-15T08:00:00Z");
  const NOW_S = String(NOW.getTime() / 1000);
  let server: ApiServer;

  beforeAll(async () => {
    server = await startApiServer({ app, port: 0, clock: () => NOW });
  });

  afterAll(async () => {
    await server.close();
  });

  it("listens on 127.0.0.1 and passes the app's answer through", async () => {
    // Act
    const response = await fetch(`${server.url}/v1/health`);

    // Assess
    expect(server.url).toBe(`http://127.0.0.1:${server.port}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("x-echo")).toBe("yes");
  });

  it("fills the event's resource and decoded path parameters from the matching route", async () => {
    // Act
    const event = await fetchEvent(server, "/v1/tasks/T-1/approvals/01ARZ3NDEKTSV4RRFFQ69G5FAV");

    // Assess
    expect(event).toMatchObject({
      resource: "/v1/tasks/{task_id}/approvals/{request_id}",
      path: "/v1/tasks/T-1/approvals/01ARZ3NDEKTSV4RRFFQ69G5FAV",
      httpMethod: "GET",
      pathParameters: { task_id: "T-1", request_id: "01ARZ3NDEKTSV4RRFFQ69G5FAV" },
      isBase64Encoded: false,
      stageVariables: null,
      body: null,
    });
    expect(event.requestContext).toMatchObject({
      stage: "local",
      httpMethod: "GET",
      resourcePath: "/v1/tasks/{task_id}/approvals/{request_id}",
      requestId: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      requestTimeEpoch: expect.any(Number),
    });
  });

  it("keeps an encoded slash inside one path parameter and decodes it", async () => {
    // Act
    const event = await fetchEvent(server, "/v1/repos/acme%2Fapp/policies");

    // Assess
    expect(event.resource).toBe("/v1/repos/{repo_id}/policies");
    expect(event.pathParameters).toEqual({ repo_id: "acme/app" });
  });

  it("picks the route by method too", async () => {
    // Act
    const event = await fetchEvent(server, "/v1/repos/acme/policies", { method: "PUT", body: "{}" });

    // Assess
    expect(event.resource).toBe("/v1/repos/{repo_id}/policies");
    expect(event.httpMethod).toBe("PUT");
  });

  it("passes single and repeated query parameters", async () => {
    // Act
    const event = await fetchEvent(server, "/v1/pending?limit=5&repo=acme%2Fapp&tag=a&tag=b");

    // Assess
    expect(event.queryStringParameters).toEqual({ limit: "5", repo: "acme/app", tag: "b" });
    expect(event.multiValueQueryStringParameters).toEqual({
      limit: ["5"],
      repo: ["acme/app"],
      tag: ["a", "b"],
    });
  });

  it("sends null query parameters when there are none", async () => {
    // Act
    const event = await fetchEvent(server, "/v1/pending");

    // Assess
    expect(event.queryStringParameters).toBeNull();
    expect(event.multiValueQueryStringParameters).toBeNull();
  });

  it("passes request headers as sent, the last value single and every value multi-valued", async () => {
    // Prepare
    const headers = { "X-Trace-Id": "t-1", "x-dup": ["a", "b"] };

    // Act
    const event = JSON.parse(await rawRequest(server, "/v1/health", headers)) as APIGatewayProxyEvent;

    // Assess
    expect(event.headers).toMatchObject({ "X-Trace-Id": "t-1", "x-dup": "b" });
    expect(event.multiValueHeaders).toMatchObject({ "X-Trace-Id": ["t-1"], "x-dup": ["a", "b"] });
  });

  it.each<{ token: string | undefined; authorizer: unknown; userArn: string | null }>([
    {
      token: "Bearer local:human:alice",
      authorizer: { claims: { sub: "alice", auth_time: NOW_S } },
      userArn: null,
    },
    {
      token: "Bearer local:admin:root",
      authorizer: { claims: { sub: "root", auth_time: NOW_S, "cognito:groups": "gates-admins" } },
      userArn: null,
    },
    {
      token: "Bearer local:human:alice auth_time=1700000000",
      authorizer: { claims: { sub: "alice", auth_time: "1700000000" } },
      userArn: null,
    },
    { token: "Bearer local:agent:bot-7", authorizer: null, userArn: "bot-7" },
    { token: "Bearer not-a-local-token", authorizer: null, userArn: null },
    { token: undefined, authorizer: null, userArn: null },
  ])(
    "puts the caller of $token where API Gateway's authorizers would",
    async ({ token, authorizer, userArn }) => {
      // Act
      const event = await fetchEvent(
        server,
        "/v1/pending",
        token === undefined ? {} : { headers: { authorization: token } },
      );

      // Assess
      expect(event.requestContext.authorizer).toEqual(authorizer);
      expect(event.requestContext.identity).toMatchObject({
        userArn,
        sourceIp: expect.any(String),
        accessKey: null,
      });
    },
  );

  it("passes the body through as a string", async () => {
    // Prepare
    const body = JSON.stringify({ tool_name: "Bash", tool_input: { command: "ls ü" } });

    // Act
    const event = await fetchEvent(server, "/v1/tasks/T1/tool-calls", { method: "POST", body });

    // Assess
    expect(event.resource).toBe("/v1/tasks/{task_id}/tool-calls");
    expect(event.body).toBe(body);
  });

  it("hands an unknown path to the app as its own resource", async () => {
    // Act
    const event = await fetchEvent(server, "/v1/nothing/here?x=1");

    // Assess
    expect(event.resource).toBe("/v1/nothing/here");
    expect(event.pathParameters).toBeNull();
  });

  it.each([
    ["an empty parameter", "/v1/tasks//approvals/R"],
    ["a bad escape", "/v1/repos/%E0%A4%A/policies"],
    ["a trailing slash", "/v1/health/"],
  ])("matches no route for %s", async (_name, path) => {
    // Act
    const event = await fetchEvent(server, path);

    // Assess
    expect(event.resource).toBe(path);
  });

  it("keeps serving after a client goes away mid-body", async () => {
    // Prepare
    const before = app.events.length;
    await new Promise<void>((resolve) => {
      const req = request(`${server.url}/v1/tasks`, {
        method: "POST",
        headers: { "content-length": "1000" },
      });
      req.on("error", () => resolve());
      req.write("{", () => {
        req.destroy();
        resolve();
      });
    });

    // Act
    const response = await fetch(`${server.url}/v1/health`);

    // Assess
    expect(response.status).toBe(200);
    expect(app.events.length).toBe(before + 1);
  });
});

describe("startApiServer with the router", () => {
  it("answers 413 for an oversized body, handing the app only one byte over the limit", async () => {
    // Prepare
    const router = createHttpApp({
      operations: {
        createTask: { input: inputs.createTask, handle: async () => ({ status: 201, body: {} }) },
      },
      logger: console,
      version: "t",
    });
    const bodySizes: number[] = [];
    const server = await startApiServer({
      app: {
        resolve: (event) => {
          bodySizes.push(Buffer.byteLength(event.body ?? ""));
          return router.resolve(event);
        },
      },
      port: 0,
    });
    const body = JSON.stringify({ description: "x".repeat(4 * LIMITS.maxBodyBytes) });

    // Act
    const response = await fetch(`${server.url}/v1/tasks`, {
      method: "POST",
      headers: { authorization: "Bearer local:agent:bot" },
      body,
    });
    const answer = (await response.json()) as { error: { code: string; request_id: string } };
    await server.close();

    // Assess
    expect(response.status).toBe(413);
    expect(answer.error.code).toBe("PAYLOAD_TOO_LARGE");
    expect(response.headers.get("x-request-id")).toBe(answer.error.request_id);
    expect(bodySizes).toEqual([LIMITS.maxBodyBytes + 1]);
  });

  it("answers the router's 404 NOT_FOUND for an unknown path", async () => {
    // Prepare
    const router = createHttpApp({ operations: {}, logger: console, version: "t" });
    const server = await startApiServer({ app: router, port: 0 });

    // Act
    const response = await fetch(`${server.url}/v1/nope`, { method: "POST" });
    const answer = (await response.json()) as { error: { code: string; message: string } };
    await server.close();

    // Assess
    expect(response.status).toBe(404);
    expect(answer.error).toMatchObject({
      code: "NOT_FOUND",
      message: expect.stringContaining("No route POST /v1/nope"),
    });
  });
});

/** Sends one request through node:http, which (unlike fetch) lets a test choose the Host header and raw bytes. */
function sendRaw(
  server: ApiServer,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: Buffer },
): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${options.path ?? "/v1/health"}`,
      { method: options.method ?? "GET", headers: options.headers ?? {}, setHost: !options.headers?.host },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => {
          text += chunk;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on("error", reject).end(options.body);
  });
}

describe("startApiServer Host check", () => {
  const app = echoApp();
  let server: ApiServer;
  let other: ApiServer | undefined;

  beforeAll(async () => {
    server = await startApiServer({ app, port: 0 });
  });

  afterAll(async () => {
    await server.close();
    await other?.close();
  });

  it.each(["127.0.0.1", "127.0.0.1:3000", "localhost", "LocalHost:1", "[::1]", "[::1]:3000"])(
    "lets a request for Host %s reach the app",
    async (host) => {
      // Act
      const reply = await sendRaw(server, { headers: { host } });

      // Assess
      expect(reply.status).toBe(200);
    },
  );

  it.each([
    "evil.example",
    "evil.example:3000",
    "127.0.0.1.evil.example",
    "localhost.evil.example:80",
    "[::2]:3000",
    "127.0.0.1:3000:80",
  ])("refuses Host %j with 403 FORBIDDEN before the app sees it", async (host) => {
    // Prepare
    const before = app.events.length;

    // Act
    const reply = await sendRaw(server, {
      method: "POST",
      path: "/v1/tasks/t1/approve",
      headers: { host, authorization: "Bearer local:human:alice", "content-type": "application/json" },
      body: Buffer.from('{"request_id":"01JAAAAAAAAAAAAAAAAAAAAAAA"}'),
    });

    // Assess
    expect(reply.status).toBe(403);
    expect(reply.body).toMatchObject({
      error: { code: "FORBIDDEN", message: expect.stringContaining("127.0.0.1") },
    });
    expect(app.events).toHaveLength(before);
  });

  it("also answers to the address it was told to bind, and refuses that name on another server", async () => {
    // Prepare: another loopback address, which Linux routes without configuration.
    other = await startApiServer({ app, port: 0, host: "127.0.0.2" });

    // Act
    const own = await sendRaw(other, { headers: { host: `127.0.0.2:${other.port}` } });
    const foreign = await sendRaw(server, { headers: { host: `127.0.0.2:${server.port}` } });

    // Assess
    expect([own.status, foreign.status]).toEqual([200, 403]);
  });
});

describe("startApiServer bodies that are not UTF-8", () => {
  it("hands them to the router as bytes, which refuses them with 400 INVALID_JSON as on Lambda", async () => {
    // Prepare
    const seen: string[] = [];
    const router = createHttpApp({
      operations: {
        createTask: {
          input: inputs.createTask,
          handle: async (req) => ({ status: 201, body: { seen: req.body } }),
        },
      },
      logger: console,
      version: "t",
    });
    const server = await startApiServer({
      app: {
        resolve: (event) => {
          seen.push(String(event.body));
          return router.resolve(event);
        },
      },
      port: 0,
    });
    const invalid = Buffer.concat([
      Buffer.from('{"owner":"al'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('ice"}'),
    ]);
    const send = (body: Buffer) =>
      sendRaw(server, {
        method: "POST",
        path: "/v1/tasks",
        headers: { authorization: "Bearer local:agent:bot", "content-type": "application/json" },
        body,
      });

    // Act
    const refused = await send(invalid);
    const accepted = await send(Buffer.from('{"owner":"ålice","repo":"acme/app"}'));
    await server.close();

    // Assess
    expect(refused).toMatchObject({ status: 400, body: { error: { code: "INVALID_JSON" } } });
    expect(accepted).toMatchObject({ status: 201, body: { seen: { owner: "ålice", repo: "acme/app" } } });
    expect(seen.join("\n")).not.toContain("\ufffd");
  });
});

describe("ApiServer.close", () => {
  it("resolves while a keep-alive connection is open", async () => {
    // Prepare
    const server = await startApiServer({ app: echoApp(), port: 0 });
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      request(`${server.url}/v1/health`, { agent }, (res) => {
        res.resume();
        res.on("end", resolve);
      })
        .on("error", reject)
        .end();
    });

    // Act
    const closed = await closeWithin2s(server);
    agent.destroy();

    // Assess
    expect(closed).toBe("closed");
  });

  it("resolves while a long request is still waiting for the app", async () => {
    // Prepare
    const server = await startApiServer({ app: { resolve: () => new Promise(() => undefined) }, port: 0 });
    const pending = fetch(`${server.url}/v1/health`).catch(() => "aborted");
    await new Promise((resolve) => setTimeout(resolve, 100));

    // Act
    const closed = await closeWithin2s(server);

    // Assess
    expect(closed).toBe("closed");
    expect(await pending).toBe("aborted");
  });
});
