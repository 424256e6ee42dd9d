import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from "aws-lambda";
import { ulid } from "ulid";
import { type ErrorBody, LIMITS } from "../../../contracts/api";
import {
  type ErrorCode,
  ForbiddenError,
  GatesError,
  InvalidJsonError,
  PayloadTooLargeError,
  RateLimitedError,
  RouteNotFoundError,
  UnauthenticatedError,
  ValidationError,
} from "../../core/errors";
import { pathDeeperThan } from "../../core/json-depth";
import { ADMIN_GROUP, type Principal } from "../../core/principal";
import { type PrincipalKind, ROUTES, type RouteDef } from "../../routes";
import { type AnyOperation, type Operations, parseInput } from "./operation";

/** Where the router reports failures; rest parameters so that a Powertools `Logger` fits. */
export interface HttpLogger {
  error(message: string, ...extra: Record<string, unknown>[]): void;
  warn?(message: string, ...extra: Record<string, unknown>[]): void;
}

export interface HttpAppOptions {
  /** The operations this Lambda serves; other routes answer 404 as if they did not exist. */
  readonly operations: Operations;
  /** @default ROUTES, the route manifest */
  readonly routes?: readonly RouteDef[];
  readonly logger: HttpLogger;
  /** The build's version, written into error logs. */
  readonly version: string;
}

/** The HTTP edge: answers every API Gateway REST proxy event, never throws. */
export interface HttpApp {
  resolve(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult>;
}

/** The only place an error code becomes an HTTP status (the OpenAPI document reads it too). */
export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = {
  INVALID_JSON: 400,
  VALIDATION_ERROR: 400,
  UNAUTHENTICATED: 401,
  FORBIDDEN: 403,
  FORBIDDEN_BY_SETTINGS: 403,
  SEPARATION_OF_DUTIES: 403,
  REAUTHENTICATION_REQUIRED: 403,
  NOT_FOUND: 404,
  TASK_NOT_FOUND: 404,
  REQUEST_NOT_FOUND: 404,
  GRANT_NOT_FOUND: 404,
  CALL_NOT_FOUND: 404,
  LOCK_NOT_FOUND: 404,
  TASK_EXISTS: 409,
  REQUEST_ALREADY_DECIDED: 409,
  ALREADY_VOTED: 409,
  LOCKED: 409,
  TASK_NOT_ACTIVE: 409,
  SLACK_ALREADY_LINKED: 409,
  PAYLOAD_TOO_LARGE: 413,
  POLICY_INVALID: 422,
  SETTINGS_INVALID: 422,
  RATE_LIMITED: 429,
  INTERNAL_ERROR: 500,
  SERVICE_UNAVAILABLE: 503,
};

/** Methods whose body the router reads (and, unless the route takes it raw, parses as JSON). */
export const BODY_METHODS: ReadonlySet<string> = new Set(["POST", "PUT", "DELETE"]);
const KIND_NAMES: Readonly<Record<PrincipalKind, string>> = {
  agent: "agents (IAM callers signing with SigV4)",
  human: "humans (Cognito users)",
  admin: `admins (humans in the ${ADMIN_GROUP} group)`,
  slack: "Slack (signed requests)",
};

/**
 * Builds the router that turns an API Gateway REST (v1) proxy event into one operation call:
 * it finds the route in the manifest, identifies the caller from the request context only,
 * checks the route's principal kinds, parses path, query and body with the operation's
 * declared input, and shapes every answer — success or error — with `x-request-id`.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const routes: readonly RouteDef[] = options.routes ?? ROUTES;
  // Each operation is typed by its own route; the router holds them all alike.
  const operations = options.operations as Readonly<Record<string, AnyOperation | undefined>>;

  async function handle(event: APIGatewayProxyEvent, requestId: string): Promise<APIGatewayProxyResult> {
    const route = routes.find((r) => r.path === event.resource && r.method === event.httpMethod);
    // Own properties only, so a route named like an Object.prototype member finds nothing.
    const operation =
      route !== undefined && Object.hasOwn(operations, route.operation)
        ? operations[route.operation]
        : undefined;
    if (route === undefined || operation === undefined) {
      const path = String(event.path || event.resource).slice(0, 200);
      throw new RouteNotFoundError(`No route ${event.httpMethod} ${path}; see the API reference in README.`);
    }
    // Slack's routes have no caller identity: the operation checks the request signature instead.
    const principal = isSlackRoute(route) ? undefined : principalFrom(event);
    if (!isSlackRoute(route)) authorize(route, principal);
    const { input } = operation;
    const query = queryOf(event);
    const rawBody = textOf(event);
    const json = input.rawBody === undefined ? bodyOf(rawBody) : undefined;
    const parsed = parseInput(input, { path: stringEntries(event.pathParameters, false), query, json });
    // The one check of the caller's kind is `authorize` above; the operation's type relies on it.
    const result = await operation.handle({
      requestId,
      principal,
      ...parsed,
      json,
      rawBody,
      headers: stringEntries(event.headers, true),
    });
    const text = JSON.stringify(result.body);
    if (text === undefined) {
      throw new TypeError(`Operation ${route.operation} returned a body that JSON cannot represent`);
    }
    return { statusCode: result.status, headers: responseHeaders(requestId, result.headers), body: text };
  }

  function fail(err: unknown, event: APIGatewayProxyEvent, requestId: string, context?: Context) {
    const known = err instanceof GatesError ? err : undefined;
    const status = (known && STATUS_BY_CODE[known.code]) ?? 500;
    const where = { request_id: requestId, aws_request_id: context?.awsRequestId, version: options.version };
    const route = { method: event?.httpMethod, resource: event?.resource };
    try {
      if (status >= 500) {
        const cause = known?.cause === undefined ? {} : { cause: describeError(known.cause) };
        options.logger.error("Request failed", { ...where, ...route, error: describeError(err), ...cause });
      } else if (status === 401 || status === 403) {
        options.logger.warn?.("Request refused", { ...where, ...route, code: known?.code });
      }
    } catch {
      // A failing logger must not turn an answer into a crash.
    }
    return errorResponse(known, status, requestId);
  }

  return {
    async resolve(event, context) {
      const requestId = requestIdOf(event);
      try {
        return await handle(event, requestId);
      } catch (err) {
        return fail(err, event, requestId, context);
      }
    },
  };
}

function requestIdOf(event: APIGatewayProxyEvent): string {
  const id: unknown = event?.requestContext?.requestId;
  return typeof id === "string" && id !== "" ? id : ulid();
}

/** 4xx answers show the error's own message; 5xx answers stay generic so no cause leaks. */
function errorResponse(err: GatesError | undefined, status: number, requestId: string) {
  const error: ErrorBody["error"] =
    err !== undefined && (status < 500 || err.code === "SERVICE_UNAVAILABLE")
      ? { code: err.code, message: err.message, request_id: requestId }
      : {
          code: "INTERNAL_ERROR",
          message: `Something went wrong on our side; quote request id ${requestId}.`,
          request_id: requestId,
        };
  if (err?.details !== undefined && status < 500) {
    error.details = err.details;
  }
  let extra: Record<string, string> | undefined;
  if (err instanceof RateLimitedError) {
    const seconds = Number.isFinite(err.retryAfterS) ? Math.max(1, Math.ceil(err.retryAfterS)) : 60;
    extra = { "retry-after": String(seconds) };
  }
  let body: string;
  try {
    body = JSON.stringify({ error });
  } catch {
    // Details that cannot be serialized (a cycle, a bigint) must not hide the answer itself.
    body = JSON.stringify({ error: { code: error.code, message: error.message, request_id: requestId } });
  }
  return { statusCode: status, headers: responseHeaders(requestId, extra), body };
}

/** Our headers win over an operation's, whose names are lower-cased like the rest. */
function responseHeaders(
  requestId: string,
  extra: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return Object.fromEntries([
    ...Object.entries(extra).map(([name, value]) => [name.toLowerCase(), value]),
    ["content-type", "application/json"],
    ["cache-control", "no-store"],
    ["x-request-id", requestId],
  ]);
}

/** The caller, from what API Gateway's authorizers put in the request context — never headers. */
function principalFrom(event: APIGatewayProxyEvent): Principal | undefined {
  const context = event.requestContext;
  const claims: unknown = context?.authorizer?.claims;
  if (isRecord(claims) && typeof claims.sub === "string" && claims.sub !== "") {
    const groups = groupsOf(claims["cognito:groups"]);
    const authTime = authTimeOf(claims.auth_time);
    return {
      kind: "human",
      id: claims.sub,
      admin: groups.includes(ADMIN_GROUP),
      groups,
      ...(authTime !== undefined ? { authTime } : {}),
    };
  }
  // A human signing with Cognito identity-pool credentials also has a userArn (the pool's role),
  // so the identity-pool check must come first; the role's trust policy admits only users of the pool.
  const identity = context?.identity;
  const provider: unknown = identity?.cognitoAuthenticationProvider;
  if (identity?.cognitoAuthenticationType) {
    // Guest identities and providers without a user are nobody, never the role's agent.
    const sub = typeof provider === "string" ? provider.split(":CognitoSignIn:")[1] : undefined;
    const authenticated = identity.cognitoAuthenticationType === "authenticated";
    return authenticated && sub && /^[^\s:,]+$/.test(sub)
      ? { kind: "human", id: sub, admin: false }
      : undefined;
  }
  const arn: unknown = identity?.userArn;
  return typeof arn === "string" && arn !== "" ? { kind: "agent", id: arn } : undefined;
}

/** The id token's `auth_time` (seconds since the epoch); API Gateway hands claims over as strings. */
function authTimeOf(value: unknown): number | undefined {
  const text = typeof value === "number" ? String(value) : value;
  return typeof text === "string" && /^\d{1,12}$/.test(text) ? Number(text) : undefined;
}

/** Cognito groups arrive as an array, `"a,b"` or `"[a b]"` depending on the authorizer path. */
function groupsOf(value: unknown): string[] {
  if (Array.isArray(value)) {
    return value.filter((g): g is string => typeof g === "string").map((g) => g.trim());
  }
  if (typeof value !== "string") {
    return [];
  }
  return value
    .replace(/^\s*\[|\]\s*$/g, "")
    .split(/[\s,]+/)
    .filter((g) => g !== "");
}

function authorize(route: RouteDef, principal: Principal | undefined): void {
  if (route.principals === "anyone") {
    return;
  }
  if (principal === undefined) {
    throw new UnauthenticatedError(
      "No valid credentials: humans send a Cognito token, agents sign the request with SigV4 (locally: Authorization: Bearer local:<human|admin|agent>:<id>).",
    );
  }
  const admitted =
    route.principals.includes(principal.kind) ||
    (principal.kind === "human" && principal.admin && route.principals.includes("admin"));
  if (!admitted) {
    const caller = principal.kind === "agent" ? "an agent" : principal.admin ? "an admin" : "a human";
    const kinds = route.principals.map((k) => KIND_NAMES[k]).join(" or ");
    throw new ForbiddenError(`${route.method} ${route.path} is for ${kinds}; you are calling as ${caller}.`);
  }
}

function queryOf(event: APIGatewayProxyEvent): Record<string, string> {
  const repeated = Object.entries(event.multiValueQueryStringParameters ?? {})
    .filter(([, values]) => (values?.length ?? 0) > 1)
    .map(([key]) => key);
  if (repeated.length > 0) {
    throw new ValidationError(
      `Query parameter ${repeated.map((k) => JSON.stringify(k)).join(", ")} is repeated; send each one once.`,
      repeated.map((field) => ({ field, message: "repeated; send it once" })),
    );
  }
  return stringEntries(event.queryStringParameters, false);
}

function isSlackRoute(route: RouteDef): boolean {
  return route.principals !== "anyone" && route.principals.includes("slack");
}

/** The body as UTF-8 text, size-checked; `""` when there is none. */
function textOf(event: APIGatewayProxyEvent): string {
  const raw = event.body;
  if (!BODY_METHODS.has(event.httpMethod) || raw === null || raw === undefined || raw === "") {
    return "";
  }
  const bytes = event.isBase64Encoded ? Buffer.from(raw, "base64") : undefined;
  const size = bytes?.length ?? Buffer.byteLength(raw, "utf8");
  if (size > LIMITS.maxBodyBytes) {
    throw new PayloadTooLargeError(
      `The request body is ${size} bytes; the limit is ${LIMITS.maxBodyBytes} bytes (${LIMITS.maxBodyBytes / 1024} KiB). Send a smaller body.`,
    );
  }
  return bytes === undefined ? raw : decodeUtf8(bytes);
}

function bodyOf(text: string): unknown {
  if (text.trim() === "") {
    return {};
  }
  let parsed: unknown;
  try {
    // JSON.parse defines keys such as "__proto__" as own data properties, so nothing is polluted.
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidJsonError("The request body is not valid JSON; send a JSON object, e.g. {}.");
  }
  if (!isRecord(parsed)) {
    const what = parsed === null ? "null" : Array.isArray(parsed) ? "an array" : `a ${typeof parsed}`;
    throw new InvalidJsonError(`The request body is ${what}; send a JSON object, e.g. {}.`);
  }
  // JSON.parse itself does not recurse, but everything after it (schemas, size checks, hashing) may.
  const deep = pathDeeperThan(parsed, LIMITS.maxJsonDepth);
  if (deep !== undefined) {
    const field = typeof deep[0] === "string" ? deep[0] : "body";
    const message = `nests arrays and objects more than ${LIMITS.maxJsonDepth} levels deep; send flatter data`;
    throw new ValidationError(`The request body ${message} (at ${field}).`, [{ field, message }]);
  }
  return parsed;
}

function decodeUtf8(bytes: Buffer): string {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new InvalidJsonError("The request body is not UTF-8 text; send a JSON object encoded as UTF-8.");
  }
}

/** Copies the string values of a header/parameter map into a fresh object, defining each key. */
function stringEntries(
  source: Readonly<Record<string, string | undefined>> | null | undefined,
  lowerCaseKeys: boolean,
): Record<string, string> {
  const entries: [string, string][] = [];
  for (const [key, value] of Object.entries(source ?? {})) {
    if (typeof value === "string") {
      entries.push([lowerCaseKeys ? key.toLowerCase() : key, value]);
    }
  }
  return Object.fromEntries(entries);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describeError(err: unknown): Record<string, unknown> {
  if (err instanceof Error) {
    return { name: err.name, message: err.message, stack: err.stack };
  }
  try {
    return { value: String(err) };
  } catch {
    return { value: typeof err };
  }
}
