import * as z from "zod/mini";
import { type FieldProblem, ValidationError } from "../../core/errors";
import type { Principal } from "../../core/principal";
import type { OperationId } from "../../routes";

/** What the router hands an operation: the caller and the request, already checked for shape. */
export interface OperationRequest {
  readonly requestId: string;
  /** `undefined` only on `anyone` routes called without credentials. */
  readonly principal: Principal | undefined;
  /** Path parameters, already URL-decoded. */
  readonly pathParams: Readonly<Record<string, string>>;
  /** Query parameters, one value each (a repeated key is refused before the operation runs). */
  readonly query: Readonly<Record<string, string>>;
  /** The parsed JSON object, or `{}` when the request had no body or the route takes it raw. */
  readonly body: unknown;
  /** The body as received (UTF-8 text), for routes whose body is signed; `""` when there was none. */
  readonly rawBody?: string;
  /** Request headers with lower-cased names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A successful answer; errors are thrown as `GatesError`s and shaped by the router. */
export interface OperationResult {
  readonly status: 200 | 201;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** One use case behind one route. */
export type OperationHandler = (request: OperationRequest) => Promise<OperationResult>;

/** The operations one Lambda serves; a route whose operation is missing answers 404. */
export type Operations = { readonly [K in OperationId]?: OperationHandler };

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
