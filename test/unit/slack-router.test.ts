import type { APIGatewayProxyEvent } from "aws-lambda";
import * as inputs from "../../contracts/inputs";
import { createHttpApp } from "../../lambdas/adapters/http/http-app";
import type { OperationRequest } from "../../lambdas/adapters/http/operation";

/** The router's side of Slack's routes: no authorizer, the raw body, no JSON parsing. */
function event(overrides: Partial<APIGatewayProxyEvent>): APIGatewayProxyEvent {
  return {
    resource: "/v1/slack/interactions",
    path: "/v1/slack/interactions",
    httpMethod: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    body: "payload=%7B%22a%22%3A1%7D&x=%F0%9F%92%A5",
    isBase64Encoded: false,
    requestContext: {
      requestId: "req-1",
      authorizer: { claims: { sub: "alice" } },
    } as unknown as APIGatewayProxyEvent["requestContext"],
    ...overrides,
  } as APIGatewayProxyEvent;
}

function appSeeing(seen: OperationRequest<"slackInteractions">[]) {
  return createHttpApp({
    operations: {
      slackInteractions: {
        input: inputs.slackInteractions,
        handle: async (req) => {
          seen.push(req);
          return { status: 200, body: {} };
        },
      },
    },
    logger: { error: () => undefined },
    version: "test",
  });
}

describe("the router on Slack's routes", () => {
  it("hands the operation the raw form body, unparsed, and no principal, whatever the request context says", async () => {
    // Prepare
    const seen: OperationRequest<"slackInteractions">[] = [];

    // Act
    const result = await appSeeing(seen).resolve(event({}));

    // Assess
    expect(result.statusCode).toBe(200);
    expect(seen[0]).toMatchObject({
      principal: undefined,
      body: undefined,
      json: undefined,
      rawBody: "payload=%7B%22a%22%3A1%7D&x=%F0%9F%92%A5",
    });
  });

  it("decodes a base64 body to the exact text that was signed", async () => {
    // Prepare
    const seen: OperationRequest<"slackInteractions">[] = [];
    const text = "payload=%7B%7D&team_id=T1";

    // Act
    await appSeeing(seen).resolve(
      event({ body: Buffer.from(text).toString("base64"), isBase64Encoded: true }),
    );

    // Assess
    expect(seen[0]?.rawBody).toBe(text);
  });

  it("still refuses a body over the size limit", async () => {
    // Act
    const result = await appSeeing([]).resolve(event({ body: "x".repeat(256 * 1024 + 1) }));

    // Assess
    expect(result.statusCode).toBe(413);
  });
});
