import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from "aws-lambda";
import { ulid } from "ulid";
import { type ErrorBody, LIMITS } from "../contracts/api";
import { localTokenToContext } from "../lambdas/adapters/http/local-identity";
import { stripControl } from "../lambdas/core/sanitize";
import { ROUTES, type RouteDef } from "../lambdas/routes";

/** Anything that answers API Gateway REST proxy events, such as the router of `createHttpApp`. */
export interface LocalApiApp {
  resolve(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult>;
}

export interface ApiServerOptions {
  readonly app: LocalApiApp;
  /** @default ROUTES, the route manifest */
  readonly routes?: readonly RouteDef[];
  /** @default "127.0.0.1", so the local control plane is not reachable from the network */
  readonly host?: string;
  /** 0 picks any free port. */
  readonly port: number;
  /** Serves paths outside `/v1/` (the web console, on the API's origin). @default every path goes to the app */
  readonly site?: SiteHandler;
  /** The time a local token without `auth_time` was signed in at: the request's. @default the system clock */
  readonly clock?: () => Date;
}

/** Answers a GET or HEAD outside the API, or `undefined` to hand the request to the app. */
export type SiteHandler = (path: string) => APIGatewayProxyResult | undefined;

export interface ApiServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly port: number;
  /** Stops listening and drops every connection, idle keep-alive ones included. */
  close(): Promise<void>;
}

/** One byte past the limit is enough for the app to answer 413; the rest is read and dropped. */
const BODY_CAP = LIMITS.maxBodyBytes + 1;
const PARAM = /^\{(\w+)\}$/;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/**
 * Starts the local HTTP server that stands in for API Gateway: each request becomes a REST
 * (v1) proxy event matched against the same route manifest, with the caller taken from a
 * local token (`Authorization: Bearer local:<human|admin|agent>:<id>`), and the app's
 * answer is written back as is. Only requests whose `Host` names this machine (loopback or
 * the bind address) reach the app; the local tokens are forgeable by design, so a web page
 * reaching the server through DNS rebinding must be turned away (403).
 */
export async function startApiServer(options: ApiServerOptions): Promise<ApiServer> {
  const routes = options.routes ?? ROUTES;
  const host = options.host ?? "127.0.0.1";
  const hosts = allowedHosts(host);
  const server = createServer((req, res) => {
    void serve(options, routes, hosts, req, res);
  });
  // Long-polls (up to 25 s) wait on the response, which these limits do not bound: they only
  // bound how long a client may take to send its request, and how long idle sockets live.
  server.headersTimeout = 30_000;
  server.requestTimeout = 60_000;
  server.keepAliveTimeout = 5_000;
  server.timeout = 0;

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === "object" && address !== null ? address.port : options.port;
  return {
    url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // The callback also runs (with an error) when the server was already closed; both are done.
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function serve(
  options: ApiServerOptions,
  routes: readonly RouteDef[],
  hosts: ReadonlySet<string>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  // A client that goes away mid-answer must not crash the server.
  res.on("error", () => undefined);
  // The console's pages are held to the same loopback Host as the API, against DNS rebinding.
  if (!hostIsLocal(req.headers.host, hosts)) {
    req.resume();
    writeResult(res, foreignHost(req.headers.host, hosts));
    return;
  }
  const page = siteAnswer(options.site, req);
  if (page) {
    req.resume();
    writeResult(res, page);
    return;
  }
  const body = await readCapped(req);
  if (body === undefined) {
    return;
  }
  let result: APIGatewayProxyResult;
  try {
    const now = (options.clock ?? (() => new Date()))();
    result = await options.app.resolve(toProxyEvent(req, body, routes, Math.floor(now.getTime() / 1000)));
  } catch (err) {
    console.error("local API: the app threw instead of answering", err);
    result = internalError();
  }
  writeResult(res, result);
}

/** The site's answer to a GET or HEAD of a path outside the API, if it has one. */
function siteAnswer(site: SiteHandler | undefined, req: IncomingMessage): APIGatewayProxyResult | undefined {
  if (!site || (req.method !== "GET" && req.method !== "HEAD")) return undefined;
  const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
  return path.startsWith("/v1/") ? undefined : site(path);
}

/** Reads the body but keeps at most BODY_CAP bytes; `undefined` when the client went away. */
async function readCapped(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let kept = 0;
  try {
    for await (const chunk of req) {
      if (kept < BODY_CAP && Buffer.isBuffer(chunk)) {
        const part = chunk.subarray(0, BODY_CAP - kept);
        chunks.push(part);
        kept += part.length;
      }
    }
  } catch {
    return undefined;
  }
  return Buffer.concat(chunks, kept);
}

/** Builds the event API Gateway would send for this request. */
function toProxyEvent(
  req: IncomingMessage,
  body: Buffer,
  routes: readonly RouteDef[],
  nowS: number,
): APIGatewayProxyEvent {
  const url = req.url ?? "/";
  const queryAt = url.indexOf("?");
  const path = queryAt === -1 ? url : url.slice(0, queryAt);
  const method = (req.method ?? "GET").toUpperCase();
  const match = matchRoute(routes, method, path);
  const resource = match?.route.path ?? path;

  const headers = groupPairs(pairsOf(req.rawHeaders));
  const query = groupPairs([...new URLSearchParams(queryAt === -1 ? "" : url.slice(queryAt + 1))]);
  const identity = localTokenToContext(req.headers.authorization, nowS);
  const now = new Date();
  return {
    resource,
    path,
    httpMethod: method,
    headers: headers.single,
    multiValueHeaders: headers.multi,
    queryStringParameters: query.count === 0 ? null : query.single,
    multiValueQueryStringParameters: query.count === 0 ? null : query.multi,
    pathParameters:
      match === undefined || match.params.length === 0 ? null : Object.fromEntries(match.params),
    stageVariables: null,
    ...bodyOf(body),
    requestContext: {
      accountId: "000000000000",
      apiId: "local",
      authorizer: identity?.claims === undefined ? null : { claims: identity.claims },
      domainName: req.headers.host,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
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
        sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
        user: null,
        userAgent: req.headers["user-agent"] ?? null,
        userArn: identity?.userArn ?? null,
      },
      path,
      stage: "local",
      requestId: ulid(),
      requestTime: formatRequestTime(now),
      requestTimeEpoch: now.getTime(),
      resourceId: "local",
      resourcePath: resource,
    },
  };
}

/**
 * The body as API Gateway hands it over: UTF-8 text as a string, and other bytes base64-encoded, so
 * the router sees them as they are and refuses them (400 INVALID_JSON) instead of reading a lossy
 * decoding with U+FFFD in place of what was sent.
 */
function bodyOf(body: Buffer): Pick<APIGatewayProxyEvent, "body" | "isBase64Encoded"> {
  if (body.length === 0) return { body: null, isBase64Encoded: false };
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return { body: body.toString("utf8"), isBase64Encoded: false };
  } catch {
    return { body: body.toString("base64"), isBase64Encoded: true };
  }
}

/**
 * The Host names local mode answers to, lower case: loopback by every name, and the bind address.
 * Any other name means the request came through a name that is not this machine's own, as a web
 * page does by DNS rebinding to reach a local server with the local tokens, which anyone can forge.
 */
function allowedHosts(bindHost: string): ReadonlySet<string> {
  const bind = bindHost.includes(":") ? `[${bindHost}]` : bindHost;
  return new Set(["127.0.0.1", "localhost", "[::1]", bind.toLowerCase()]);
}

/** Whether a Host header names this server: an allowed name, with or without a port. */
function hostIsLocal(header: string | undefined, hosts: ReadonlySet<string>): boolean {
  const match = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::\d{1,5})?$/i.exec(header ?? "");
  return match?.[1] !== undefined && hosts.has(match[1].toLowerCase());
}

function foreignHost(header: string | undefined, hosts: ReadonlySet<string>): APIGatewayProxyResult {
  const shown = JSON.stringify(stripControl(header ?? "").slice(0, 100));
  const names = [...hosts].join(", ");
  return errorResult(403, "FORBIDDEN", () =>
    header === undefined
      ? `The request has no Host header; the local control plane answers only to ${names}.`
      : `Host ${shown} is not this machine's: the local control plane answers only to ${names} (with any port), so that no web page can reach it through a DNS name of its own. Call it as http://127.0.0.1:<port>.`,
  );
}

interface RouteMatch {
  readonly route: RouteDef;
  readonly params: readonly [string, string][];
  readonly literals: number;
}

/** Matches the raw path, so an encoded `/` inside a parameter (`acme%2Fapp`) stays in one segment. */
function matchRoute(routes: readonly RouteDef[], method: string, rawPath: string): RouteMatch | undefined {
  const segments = rawPath.split("/");
  let best: RouteMatch | undefined;
  for (const route of routes) {
    const template = route.path.split("/");
    if (route.method !== method || template.length !== segments.length) {
      continue;
    }
    const params: [string, string][] = [];
    let literals = 0;
    const matched = template.every((part, i) => {
      const segment = segments[i] ?? "";
      const name = PARAM.exec(part)?.[1];
      if (name === undefined) {
        literals += 1;
        return part === segment;
      }
      const value = segment === "" ? undefined : decodeSegment(segment);
      if (value !== undefined) {
        params.push([name, value]);
      }
      return value !== undefined;
    });
    // A literal segment beats a parameter, as in API Gateway.
    if (matched && (best === undefined || literals > best.literals)) {
      best = { route, params, literals };
    }
  }
  return best;
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function pairsOf(flat: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) {
    pairs.push([flat[i] ?? "", flat[i + 1] ?? ""]);
  }
  return pairs;
}

/** Groups name/value pairs the API Gateway way: the last value wins, and every value is kept. */
function groupPairs(pairs: readonly [string, string][]) {
  const multi = new Map<string, string[]>();
  for (const [name, value] of pairs) {
    const values = multi.get(name);
    if (values === undefined) {
      multi.set(name, [value]);
    } else {
      values.push(value);
    }
  }
  const single = new Map([...multi].map(([name, values]): [string, string] => [name, values.at(-1) ?? ""]));
  // Object.fromEntries defines keys, so a "__proto__" header stays plain data.
  return { single: Object.fromEntries(single), multi: Object.fromEntries(multi), count: multi.size };
}

function formatRequestTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  const day = `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}`;
  return `${day}:${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`;
}

function writeResult(res: ServerResponse, result: APIGatewayProxyResult): void {
  if (res.destroyed || res.writableEnded) {
    return;
  }
  try {
    const payload = Buffer.from(result.body ?? "", result.isBase64Encoded ? "base64" : "utf8");
    for (const [name, value] of Object.entries(result.headers ?? {})) {
      res.setHeader(name, String(value));
    }
    for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) {
      res.setHeader(name, values.map(String));
    }
    res.setHeader("content-length", payload.length);
    res.writeHead(result.statusCode);
    res.end(payload);
  } catch (err) {
    console.error("local API: the app's answer could not be written", err);
    if (res.headersSent) {
      res.destroy();
    } else {
      for (const name of res.getHeaderNames()) {
        res.removeHeader(name);
      }
      writeResult(res, internalError());
    }
  }
}

/** Only for an app that breaks its promise never to throw; the app shapes every other error. */
function internalError(): APIGatewayProxyResult {
  return errorResult(
    500,
    "INTERNAL_ERROR",
    (id) => `Something went wrong on our side; quote request id ${id}.`,
  );
}

/** An answer of the server itself, in the app's error envelope. */
function errorResult(
  status: number,
  code: string,
  message: (requestId: string) => string,
): APIGatewayProxyResult {
  const requestId = ulid();
  const body: ErrorBody = { error: { code, message: message(requestId), request_id: requestId } };
  return {
    statusCode: status,
    headers: { "content-type": "application/json", "cache-control": "no-store", "x-request-id": requestId },
    body: JSON.stringify(body),
  };
}
