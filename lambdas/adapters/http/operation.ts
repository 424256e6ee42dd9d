import * as z from "zod/mini";
import type { OperationInput } from "../../../contracts/inputs";
import type { INPUTS } from "../../../contracts/operations";
import { type FieldProblem, SettingsInvalidError, ValidationError } from "../../core/errors";
import type { Principal } from "../../core/principal";
import type { OperationId, PrincipalKind, Route } from "../../routes";

/** What an operation takes, as `contracts/inputs.ts` declares it. */
export type InputOf<K extends OperationId> = (typeof INPUTS)[K];

/** The principal each kind of a route's manifest entry admits. */
interface CallerByKind {
  readonly agent: Extract<Principal, { kind: "agent" }>;
  readonly human: Extract<Principal, { kind: "human" }>;
  readonly admin: Extract<Principal, { kind: "human" }> & { readonly admin: true };
  /** Slack's routes carry no caller identity; the operation checks Slack's signature instead. */
  readonly slack: undefined;
}

/** The caller of an operation, narrowed to the kinds its route admits (`undefined` on `anyone` routes called without credentials). */
export type CallerOf<K extends OperationId> = Extract<
  Route,
  { operation: K }
>["principals"] extends readonly (infer P extends PrincipalKind)[]
  ? CallerByKind[P]
  : Principal | undefined;

type Parsed<I, Part extends "query" | "body"> = I extends {
  readonly [P in Part]: infer S extends z.core.$ZodType;
}
  ? z.output<S>
  : undefined;

type PathOf<I> = I extends { readonly path: infer P extends Readonly<Record<string, z.core.$ZodType>> }
  ? { readonly [N in keyof P]: z.output<P[N]> }
  : Readonly<Record<never, string>>;

/**
 * What the router hands an operation: the caller, already admitted by the route's principal
 * kinds, and the request's parts, already parsed with the operation's declared input.
 */
export interface OperationRequest<K extends OperationId = OperationId> {
  readonly requestId: string;
  readonly principal: CallerOf<K>;
  /** Path parameters, URL-decoded and parsed (canonicalized where the schema says so). */
  readonly path: PathOf<InputOf<K>>;
  /** The query, parsed; `undefined` when the operation declares none. */
  readonly query: Parsed<InputOf<K>, "query">;
  /** The JSON body, parsed; `undefined` when the operation declares none. */
  readonly body: Parsed<InputOf<K>, "body">;
  /**
   * The JSON body as sent, before its schema ran (`{}` when there was none; `undefined` on
   * raw-body routes): zod's copy drops keys such as "__proto__" that a caller did send.
   */
  readonly json: unknown;
  /** The body as received (UTF-8 text), for routes whose body is signed; `""` when there was none. */
  readonly rawBody: string;
  /** Request headers with lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A successful answer; errors are thrown as `GatesError`s and shaped by the router. */
export interface OperationResult {
  readonly status: 200 | 201;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One use case behind one route: the input it declares, and what runs once the input is checked. */
export interface Operation<K extends OperationId> {
  readonly input: InputOf<K>;
  readonly handle: (request: OperationRequest<K>) => Promise<OperationResult>;
}

/** Operations by id, each typed by its own route and input. */
export type OperationsOf<K extends OperationId> = { readonly [P in K]: Operation<P> };

/** The operations one Lambda serves; a route whose operation is missing answers 404. */
export type Operations = Partial<OperationsOf<OperationId>>;

/** A request as the router builds it for any operation: parsed, but not yet typed by its route. */
export interface RouterRequest extends Omit<OperationRequest, "path" | "query" | "body"> {
  readonly path: Readonly<Record<string, string>>;
  readonly query: unknown;
  readonly body: unknown;
}

/** An operation as the router holds it, before the route it serves says which one it is. */
export interface AnyOperation {
  readonly input: OperationInput;
  readonly handle: (request: RouterRequest) => Promise<OperationResult>;
}

/** A 200 answer. */
export const ok = (body: unknown) => ({ status: 200 as const, body });

/**
 * The request's parts as the operation declared them: path parameters, query and body, each
 * parsed with its schema. A failure is a `ValidationError` that names every problem (a
 * settings document's, one `SettingsInvalidError`).
 */
export function parseInput(
  input: OperationInput,
  raw: {
    readonly path: Readonly<Record<string, string>>;
    readonly query: Readonly<Record<string, string>>;
    readonly json: unknown;
  },
): { path: Record<string, string>; query: unknown; body: unknown } {
  const path: Record<string, string> = {};
  for (const [name, schema] of Object.entries(input.path ?? {})) {
    const parsed = z.safeParse(schema, raw.path[name]);
    if (!parsed.success) {
      const message = parsed.error.issues[0]?.message ?? "is invalid";
      throw new ValidationError(`Path parameter ${name} ${message}.`, [{ field: name, message }]);
    }
    path[name] = parsed.data;
  }
  const query = input.query === undefined ? undefined : parseWith(input.query, raw.query, "query");
  let body: unknown;
  try {
    body = input.body === undefined ? undefined : parseWith(input.body, raw.json, "body");
  } catch (error) {
    if (input.invalidBody === "SETTINGS_INVALID" && error instanceof ValidationError)
      throw new SettingsInvalidError(error.fields);
    throw error;
  }
  return { path, query, body };
}

const UNKNOWN_FIELD = "unknown field; remove it (check its spelling)";
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$-]*$/;

/**
 * Parses a value with a zod schema, throwing `ValidationError` whose fields list each
 * problem: a field path like `approvers[2]` or `tool_input`, and a message that says how to
 * fix it. Each unknown key of a strict object is its own problem. Messages a schema sets
 * itself win over the generic ones written here.
 */
export function parseWith<T>(schema: z.core.$ZodType<T>, value: unknown, where: "body" | "query"): T {
  const result = z.safeParse(schema, value, { error: describeIssue });
  if (result.success) {
    return result.data;
  }
  const fields: FieldProblem[] = [];
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        fields.push({ field: formatPath([...issue.path, key], where), message: UNKNOWN_FIELD });
      }
    } else {
      fields.push({ field: formatPath(issue.path, where), message: issue.message });
    }
  }
  throw new ValidationError(summarize(fields, where), fields);
}

function summarize(fields: readonly FieldProblem[], where: "body" | "query"): string {
  const first = fields[0];
  if (first === undefined) {
    return `The request ${where} is invalid; see the API reference in README.`;
  }
  const more = fields.length > 1 ? ` (and ${fields.length - 1} more)` : "";
  const place = where === "body" ? "request body" : "query string";
  return `The ${place} has ${fields.length} problem(s): ${first.field}: ${first.message}${more}; see details.fields.`;
}

/** Formats a zod path the way callers write it: `approvers[2]`, `tool_input.cmd`, `tags["a b"]`. */
function formatPath(path: readonly PropertyKey[], where: "body" | "query"): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") {
      out += `[${key}]`;
    } else if (typeof key === "string" && IDENTIFIER.test(key)) {
      out += out === "" ? key : `.${key}`;
    } else {
      out += `[${JSON.stringify(String(key))}]`;
    }
  }
  return out === "" ? where : out;
}

/** The zod issue fields the messages below read; zod passes more. */
interface RawIssue {
  readonly code?: string | undefined;
  readonly input?: unknown;
  readonly expected?: string;
  readonly origin?: string;
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly inclusive?: boolean;
  readonly values?: readonly unknown[];
  readonly format?: string;
}

const TYPE_NAMES: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  object: "a JSON object",
  record: "a JSON object",
  array: "a JSON array",
  null: "null",
};

/** Writes a message that tells the caller how to fix one problem; `undefined` keeps zod's own. */
function describeIssue(issue: RawIssue): string | undefined {
  switch (issue.code) {
    case "invalid_type": {
      const expected = TYPE_NAMES[issue.expected ?? ""] ?? issue.expected ?? "another type";
      return issue.input === undefined
        ? `required; add it (${expected})`
        : `must be ${expected}, not ${describeValue(issue.input)}`;
    }
    case "too_small":
      return describeBound(issue, issue.minimum, "at least", "more than");
    case "too_big":
      return describeBound(issue, issue.maximum, "at most", "less than");
    case "invalid_value":
      return `must be one of: ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(", ")}`;
    case "invalid_format":
      return `must be a valid ${issue.format ?? "value"}`;
    default:
      return undefined;
  }
}

function describeBound(
  issue: RawIssue,
  limit: number | bigint | undefined,
  inclusiveWord: string,
  exclusiveWord: string,
): string | undefined {
  if (limit === undefined) {
    return undefined;
  }
  const bound = `${issue.inclusive === false ? exclusiveWord : inclusiveWord} ${limit}`;
  switch (issue.origin) {
    case "string":
      return `must be ${bound} characters long`;
    case "array":
    case "set":
      return `must have ${bound} items`;
    case "number":
    case "int":
    case "bigint":
      return `must be ${bound}`;
    default:
      return undefined;
  }
}

function describeValue(value: unknown): string {
  if (value === null) {
    return "null";
  }
  if (Array.isArray(value)) {
    return "an array";
  }
  if (typeof value === "number" && !Number.isInteger(value)) {
    return "a fraction";
  }
  return typeof value === "object" ? "an object" : `a ${typeof value}`;
}
