import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { CedarPolicyEngine, type PreparedBuiltins } from "../adapters/cedar/cedar-engine";
import { DynamoPolicyStore } from "../adapters/dynamo/policy-store";
import type { TableNames } from "../adapters/dynamo/tables";
import type { EvaluationDeps, LockDeps } from "../core/control-plane/deps";
import { PolicyCatalog } from "../core/control-plane/policy-catalog";
import { ServiceUnavailableError } from "../core/errors";
import { sha256Hex } from "../core/hashing";
import { BUILTIN_POLICY_TEXTS } from "../policies/builtin";

/** Fingerprint of the deployed built-in rules. */
export const BUILTIN_VERSION = sha256Hex(BUILTIN_POLICY_TEXTS.join("\n")).slice(0, 12);

/**
 * Adds what judging tool calls needs to the table dependencies: the policy catalog over Cedar
 * and the shell parser. Only the processes that evaluate policies call this, and only they carry
 * the Cedar and parser layers in AWS.
 */
export function evaluationDeps<B extends LockDeps>(
  base: B,
  doc: DynamoDBDocumentClient,
  tables: TableNames,
  overrides: Partial<EvaluationDeps> = {},
): B & EvaluationDeps {
  const loadBashParser = bashParserLoader();
  // The parser's WebAssembly compiles in the background while Cedar's loads; a failure here
  // is seen, and retried, by the first evaluation that waits for it.
  loadBashParser().catch(() => undefined);
  const engine = new CedarPolicyEngine(BUILTIN_POLICY_TEXTS, undefined, preparedAtBuild());
  // The built-in set is preparsed now, during the function's init, rather than by its first
  // request; a failure here is met again, and answered fail-closed, by the first evaluation.
  try {
    engine.compile();
  } catch {
    // Seen again by the first evaluation.
  }
  return {
    ...base,
    policies: new PolicyCatalog(new DynamoPolicyStore(doc, tables), (source, options) =>
      engine.compile(source, options),
    ),
    // A parser that cannot load is a dependency failure: every evaluation answers 503, never a decision.
    shell: () =>
      loadBashParser().catch((error: unknown) => {
        throw new ServiceUnavailableError(error);
      }),
    ...overrides,
  };
}

type ShellParserAdapter = typeof import("../adapters/shell/tree-sitter-bash");

/**
 * The shell parser's loader. In AWS its adapter ships in the parser layer (see cdk/bundling.ts,
 * which sets `process.env.GATES_SHELL_PARSER` at build time, so only one branch is bundled);
 * unbundled, it is the source.
 */
function bashParserLoader(): ShellParserAdapter["loadBashParser"] {
  const adapter: ShellParserAdapter =
    process.env.GATES_SHELL_PARSER === "layer"
      ? require("@approval-gates/shell-parser")
      : require("../adapters/shell/tree-sitter-bash");
  return adapter.loadBashParser;
}

/**
 * The built-ins as the bundler parsed them (see cdk/bundling.ts): `process.env.GATES_PREPARED_BUILTINS`
 * is replaced by a constant at build time, not read at run time. Unbundled (local mode, tests),
 * there is none and the engine parses the texts itself.
 */
function preparedAtBuild(): PreparedBuiltins | undefined {
  const text = process.env.GATES_PREPARED_BUILTINS;
  return text ? (JSON.parse(text) as PreparedBuiltins) : undefined;
}
