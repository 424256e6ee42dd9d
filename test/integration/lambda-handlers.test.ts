import type { APIGatewayProxyEvent, Context } from "aws-lambda";
import { freshTables, testDynamoEndpoint } from "./setup/dynamo";

/** An API Gateway REST proxy event as the service sends it, with an IAM caller. */
function agentEvent(resource: string, path: string, method: string, body?: unknown): APIGatewayProxyEvent {
  return {
    resource,
    path,
    httpMethod: method,
    headers: { "content-type": "application/json" },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: body === undefined ? null : JSON.stringify(body),
    isBase64Encoded: false,
    requestContext: {
      requestId: "req-1",
      identity: { userArn: "arn:aws:sts::123456789012:assumed-role/agent/s1" },
    } as APIGatewayProxyEvent["requestContext"],
  };
}
const context = { awsRequestId: "aws-1", functionName: "fn" } as Context;

describe("Lambda entry points", () => {
  let handlers: {
    agent: (e: APIGatewayProxyEvent, c: Context) => Promise<{ statusCode: number; body: string }>;
    publicRoutes: (e: APIGatewayProxyEvent, c: Context) => Promise<{ statusCode: number; body: string }>;
    wait: (e: APIGatewayProxyEvent, c: Context) => Promise<{ statusCode: number; body: string }>;
    reconciler: () => Promise<{ timed_out: number; failed: number }>;
  };

  beforeAll(async () => {
    const { names } = await freshTables();
    const prefix = names.Tasks.replace(/-Tasks$/, "");
    process.env.AWS_REGION = "local";
    process.env.GATES_TABLE_PREFIX = prefix;
    process.env.GATES_DYNAMO_ENDPOINT = testDynamoEndpoint();
    process.env.POWERTOOLS_LOG_LEVEL = "SILENT";
    // Handlers read their configuration when loaded, as in a Lambda container, so load them now.
    handlers = {
      agent: (
        require("../../lambdas/handlers/api-agent") as typeof import("../../lambdas/handlers/api-agent")
      ).handler,
      publicRoutes: (
        require("../../lambdas/handlers/api-public") as typeof import("../../lambdas/handlers/api-public")
      ).handler,
      wait: (require("../../lambdas/handlers/api-wait") as typeof import("../../lambdas/handlers/api-wait"))
        .handler,
      reconciler: (
        require("../../lambdas/handlers/reconciler") as typeof import("../../lambdas/handlers/reconciler")
      ).handler,
    };
  });

  it("serves its own group's routes from the request context identity", async () => {
    const created = await handlers.agent(
      agentEvent("/v1/tasks", "/v1/tasks", "POST", { owner: "alice", repo: "acme/app" }),
      context,
    );
    expect(created.statusCode).toBe(201);
    expect(JSON.parse(created.body)).toMatchObject({
      agent_id: "arn:aws:sts::123456789012:assumed-role/agent/s1",
    });
  });

  it("answers routes of other groups with 404, as if they did not exist", async () => {
    const reply = await handlers.publicRoutes(agentEvent("/v1/tasks", "/v1/tasks", "POST", {}), context);
    expect(reply.statusCode).toBe(404);
    expect(JSON.parse(reply.body)).toMatchObject({ error: { code: "NOT_FOUND", request_id: "req-1" } });
  });

  it("reads an approval from the wait function, which serves nothing but the long-poll", async () => {
    // Prepare: a request that needs approval, asked through the agent function.
    const task_id = `wait-${Date.now().toString(36)}`;
    await handlers.agent(
      agentEvent("/v1/tasks", "/v1/tasks", "POST", { task_id, owner: "alice", repo: "acme/app" }),
      context,
    );
    const asked = await handlers.agent(
      {
        ...agentEvent("/v1/tasks/{task_id}/tool-calls", `/v1/tasks/${task_id}/tool-calls`, "POST", {
          tool_name: "Bash",
          tool_input: { command: "terraform apply" },
        }),
        pathParameters: { task_id },
      },
      context,
    );
    const request_id = String(JSON.parse(asked.body).request_id);

    // Act
    const read = await handlers.wait(
      {
        ...agentEvent(
          "/v1/tasks/{task_id}/approvals/{request_id}",
          `/v1/tasks/${task_id}/approvals/${request_id}`,
          "GET",
        ),
        pathParameters: { task_id, request_id },
      },
      context,
    );
    const evaluate = await handlers.wait(
      {
        ...agentEvent("/v1/tasks/{task_id}/tool-calls", `/v1/tasks/${task_id}/tool-calls`, "POST", {
          tool_name: "Bash",
          tool_input: { command: "ls" },
        }),
        pathParameters: { task_id },
      },
      context,
    );

    // Assess
    expect(read.statusCode).toBe(200);
    expect(JSON.parse(read.body)).toMatchObject({
      request_id,
      status: "PENDING",
      rule_ids: ["terraform_apply"],
    });
    expect(evaluate.statusCode).toBe(404);
  });

  it("runs the reconciler", async () => {
    await expect(handlers.reconciler()).resolves.toEqual({ timed_out: 0, failed: 0, locks_expired: 0 });
  });
});
