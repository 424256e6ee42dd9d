import * as z from "zod/mini";
import { routeAuth } from "../cdk/constructs/route-authorization";
import { BODY_METHODS, STATUS_BY_CODE } from "../lambdas/adapters/http/http-app";
import type { ErrorCode } from "../lambdas/core/errors";
import { type HandlerGroup, ROUTES, type RouteDef } from "../lambdas/routes";
import { version } from "../package.json";
import * as api from "./api";
import * as governance from "./governance";
import { OPERATIONS, type OperationContract } from "./operations";
import * as views from "./views";

/** An OpenAPI 3.1 document, as plain JSON. */
export type OpenApiDocument = Record<string, unknown>;

const GROUP_TAGS: Readonly<Record<HandlerGroup, string>> = {
  public: "open to anyone",
  agent: "agents: register tasks and ask before tool calls",
  wait: "agents and the task's humans: wait for a decision",
  human: "humans: decide, cancel, revoke, link Slack; repo settings and locks",
  shared: "agents and the task's humans",
  policies: "policies per repo",
  slack: "Slack's webhooks, signed by Slack",
};

const ERROR_REF = "#/components/schemas/ErrorBody";

/**
 * Every exported `…Schema` of `contracts/api.ts`, `contracts/views.ts` and `contracts/governance.ts` becomes a named
 * component (query schemas excepted: they become parameters), so the document's names are the
 * contract's names.
 */
function componentRegistry() {
  const registry = z.registry<{ id: string }>();
  for (const module of [api, views, governance]) {
    for (const [name, value] of Object.entries(module)) {
      if (value instanceof z.core.$ZodType && name.endsWith("Schema") && !name.endsWith("QuerySchema"))
        registry.add(value, { id: name.slice(0, -"Schema".length) });
    }
  }
  return registry;
}

/** A zod schema as JSON Schema (2020-12, OpenAPI 3.1's dialect), without the per-document keywords. */
function jsonSchemaOf(schema: z.core.$ZodType): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io: "output", unrepresentable: "any" });
  return rest;
}

function schemaRef(schema: z.core.$ZodType, registry: ReturnType<typeof componentRegistry>) {
  const id = registry.get(schema)?.id;
  return id ? { $ref: `#/components/schemas/${id}` } : jsonSchemaOf(schema);
}

/** The error codes a route can answer: those of the edge, from its shape, and the operation's own. */
export function errorCodesOf(route: RouteDef, contract: OperationContract): ErrorCode[] {
  const codes = new Set<ErrorCode>(["RATE_LIMITED", "INTERNAL_ERROR"]);
  const takesInput = route.path.includes("{") || contract.query !== undefined || contract.body !== undefined;
  if (takesInput) codes.add("VALIDATION_ERROR");
  // The router reads the body of these methods whatever the operation does with it.
  if (BODY_METHODS.has(route.method)) {
    codes.add("PAYLOAD_TOO_LARGE");
    if (contract.rawBody === undefined) codes.add("INVALID_JSON");
  }
  if (route.principals !== "anyone") {
    codes.add("UNAUTHENTICATED");
    codes.add("SERVICE_UNAVAILABLE");
    if (!route.principals.includes("slack")) codes.add("FORBIDDEN");
  }
  for (const code of contract.errors) codes.add(code);
  return [...codes].sort((a, b) => STATUS_BY_CODE[a] - STATUS_BY_CODE[b] || a.localeCompare(b));
}

/** OpenAPI security requirements: any one of the listed schemes admits the caller. */
function securityOf(route: RouteDef): Record<string, string[]>[] {
  switch (routeAuth(route, "iam")) {
    case "none":
      return route.principals === "anyone" ? [] : [{ slackSignature: [] }];
    case "iam":
      return [{ sigv4: [] }, { localToken: [] }];
    case "cognito":
      return [{ cognito: [] }, { localToken: [] }];
  }
}

function parametersOf(
  route: RouteDef,
  contract: OperationContract,
  registry: ReturnType<typeof componentRegistry>,
) {
  const names = [...route.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? "");
  const inPath = names.map((name) => {
    const schema = contract.path?.[name];
    if (!schema) throw new Error(`path parameter {${name}} of ${route.path} has no schema in its input`);
    return { name, in: "path", required: true, schema: schemaRef(schema, registry) };
  });
  const query = contract.query ? jsonSchemaOf(contract.query) : {};
  const properties = (query.properties ?? {}) as Record<string, unknown>;
  const required = new Set((query.required ?? []) as string[]);
  const inQuery = Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.has(name),
    schema,
  }));
  return [...inPath, ...inQuery];
}

function requestBodyOf(contract: OperationContract, registry: ReturnType<typeof componentRegistry>) {
  if (contract.rawBody)
    return {
      required: true,
      description: "The form Slack posts, checked against its X-Slack-Signature before it is read.",
      content: { [contract.rawBody]: { schema: { type: "string" } } },
    };
  if (!contract.body) return undefined;
  // A body whose every field is optional may be left out.
  return {
    required: !z.safeParse(contract.body, {}).success,
    content: { "application/json": { schema: schemaRef(contract.body, registry) } },
  };
}

const REQUEST_ID_HEADER = {
  "x-request-id": { description: "The request's id, also in error bodies", schema: { type: "string" } },
};

function responsesOf(
  route: RouteDef,
  contract: OperationContract,
  registry: ReturnType<typeof componentRegistry>,
  errorResponses: Map<string, ErrorCode[]>,
) {
  const responses: Record<string, unknown> = {};
  for (const [status, schema] of Object.entries(contract.responses)) {
    responses[status] = {
      description: status === "201" ? "Created" : "OK",
      headers: REQUEST_ID_HEADER,
      content: { "application/json": { schema: schemaRef(schema, registry) } },
    };
  }
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of errorCodesOf(route, contract)) {
    const status = STATUS_BY_CODE[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  for (const codes of byStatus.values()) {
    const name = codes.join("-or-");
    errorResponses.set(name, codes);
    responses[String(STATUS_BY_CODE[codes[0] as ErrorCode])] = { $ref: `#/components/responses/${name}` };
  }
  return responses;
}

/** One shared error response per set of codes that answer with the same status. */
function errorResponse(codes: readonly ErrorCode[]) {
  const status = STATUS_BY_CODE[codes[0] as ErrorCode];
  const headers =
    status === 429
      ? {
          ...REQUEST_ID_HEADER,
          "retry-after": { description: "Seconds to wait", schema: { type: "integer" } },
        }
      : REQUEST_ID_HEADER;
  return {
    description: codes.join(", "),
    headers,
    content: {
      "application/json": {
        schema: {
          allOf: [{ $ref: ERROR_REF }, { properties: { error: { properties: { code: { enum: codes } } } } }],
        },
      },
    },
  };
}

function operationOf(
  route: RouteDef,
  registry: ReturnType<typeof componentRegistry>,
  errorResponses: Map<string, ErrorCode[]>,
) {
  const contract: OperationContract = OPERATIONS[route.operation as keyof typeof OPERATIONS];
  const parameters = parametersOf(route, contract, registry);
  const requestBody = requestBodyOf(contract, registry);
  return {
    operationId: route.operation,
    summary: contract.summary,
    tags: [route.group],
    security: securityOf(route),
    "x-gates-principals": route.principals,
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesOf(route, contract, registry, errorResponses),
  };
}

/**
 * The API's OpenAPI 3.1 document, generated from the route manifest and the zod schemas of
 * `contracts/`. `npm run openapi` writes it to `contracts/openapi.json`, which the API serves
 * at `GET /v1/openapi.json`.
 */
export function openApiDocument(routes: readonly RouteDef[] = ROUTES): OpenApiDocument {
  const registry = componentRegistry();
  const errorResponses = new Map<string, ErrorCode[]>();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const item = paths[route.path] ?? {};
    item[route.method.toLowerCase()] = operationOf(route, registry, errorResponses);
    paths[route.path] = item;
  }
  const { schemas } = z.toJSONSchema(registry, {
    io: "output",
    unrepresentable: "any",
    uri: (id) => `#/components/schemas/${id}`,
  });
  const components: Record<string, unknown> = {};
  // Sorted: the order of a module's exports depends on how it was compiled.
  for (const [id, schema] of Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))) {
    // Each component is a fragment of this document, not a schema document of its own.
    const { $schema: _dialect, $id: _id, ...rest } = schema as Record<string, unknown>;
    components[id] = rest;
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Approval Gates",
      version,
      summary: "Human approval for AI agents' tool calls",
      description:
        'Agents ask before risky tool calls; Cedar policies answer ALLOW, DENY or REQUIRE_APPROVAL; humans approve or deny. Any error on a decision path must be treated as DENY. Errors are `{"error":{"code","message","request_id","details"?}}`; every answer carries `x-request-id`.',
      license: { name: "Apache-2.0", identifier: "Apache-2.0" },
    },
    // Relative to where this document is served (`…/v1/openapi.json`), so it names the API's base, stage included.
    servers: [{ url: "..", description: "the API that serves this document" }],
    tags: Object.entries(GROUP_TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: components,
      responses: Object.fromEntries(
        [...errorResponses]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([name, codes]) => [name, errorResponse(codes)]),
      ),
      securitySchemes: {
        sigv4: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description:
            "AWS Signature Version 4 for the execute-api service: agents (IAM principals), and humans with the stack's Cognito identity-pool credentials on the routes they share with agents.",
          "x-amazon-apigateway-authtype": "awsSigv4",
        },
        cognito: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description: "A Cognito user-pool id token (`gates login`); admins are in the gates-admins group.",
        },
        localToken: {
          type: "http",
          scheme: "bearer",
          description:
            "Local mode only (`npm start`): `local:agent:<id>`, `local:human:<id>` or `local:admin:<id>`; refused elsewhere.",
        },
        slackSignature: {
          type: "apiKey",
          in: "header",
          name: "X-Slack-Signature",
          description: "Slack's v0 HMAC-SHA256 signature, with X-Slack-Request-Timestamp within 5 minutes.",
        },
      },
    },
  };
}

/** The document as `contracts/openapi.json` holds it: two-space indented, with a final newline. */
export function openApiText(document: OpenApiDocument = openApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
