import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildSync } from "esbuild";
import { prepareBuiltins } from "../lambdas/adapters/cedar/cedar-engine";
import { BUILTIN_POLICY_TEXTS } from "../lambdas/policies/builtin";
import TEXT_EXTENSIONS from "../lambdas/policies/text-extensions.json";

/** The package that comes from the Cedar layer rather than from a bundle. */
export const CEDAR_MODULE = "@cedar-policy/cedar-wasm";

/** The shell parser and its grammar, which come from a layer of their own: WebAssembly, loaded from files. */
export const SHELL_PARSER_MODULES = ["web-tree-sitter", "tree-sitter-bash"] as const;

/**
 * Our translation of tree-sitter's syntax into the analysis's (`lambdas/adapters/shell/tree-sitter-bash.ts`),
 * built into the parser layer under this name: it is part of the parser, and it keeps the functions that
 * evaluate within their budget. Unbundled code (local mode, tests) imports the source itself.
 */
export const SHELL_PARSER_ADAPTER = "@approval-gates/shell-parser";
const SHELL_PARSER_ADAPTER_SOURCE = join(
  __dirname,
  "..",
  "lambdas",
  "adapters",
  "shell",
  "tree-sitter-bash.ts",
);

/**
 * Credential providers of the AWS SDK's default chain that never run in Lambda: the chain finds the
 * execution role's keys in the environment first, and reaches these only without them. They are
 * loaded lazily by the chain, so leaving them out of the bundle keeps them out of memory too; should
 * the chain ever reach one, the Node.js runtime's own copy answers.
 */
export const UNUSED_CREDENTIAL_PROVIDERS = [
  "@aws-sdk/credential-provider-http",
  "@aws-sdk/credential-provider-ini",
  "@aws-sdk/credential-provider-process",
  "@aws-sdk/credential-provider-sso",
  "@aws-sdk/credential-provider-web-identity",
  "@smithy/credential-provider-imds",
] as const;

/**
 * Capabilities of the AWS SDK that its protocol code imports lazily, on first use, and that no
 * service these functions call (DynamoDB, Secrets Manager) ever uses: event streams. Left out of
 * the bundle like the credential providers above; should one ever be reached, the Node.js
 * runtime's own copy answers.
 */
export const UNUSED_SDK_CAPABILITIES = ["@smithy/core/event-streams"] as const;

/** The most a function's bundle may weigh, minified, Cedar and the shell parser's WebAssembly aside. */
export const BUNDLE_BUDGET_BYTES = 400 * 1024;

/** Policy and schema files are bundled as text. */
export function textLoaders(): Record<string, "text"> {
  return Object.fromEntries(TEXT_EXTENSIONS.map((extension) => [extension, "text" as const]));
}

/**
 * How every function is bundled, as esbuild options: the stack, the bundle-size test and the
 * benchmark all read this, so the sizes they report are those of what ships.
 * - ESM entry points of packages first (`module` before `main`), so esbuild can drop what a
 *   function does not use of the AWS SDK and zod;
 * - Cedar and the shell parser left out for the functions that evaluate, which get them from layers;
 * - `process.env.GATES_TRACING` fixed at build time, so an untraced bundle carries no X-Ray SDK;
 * - for the functions that evaluate, `process.env.GATES_PREPARED_BUILTINS` set to what parsing the
 *   built-in policies yields, so their cold start skips that Cedar work (see {@link prepareBuiltins}).
 */
export function bundleOptions(options: { readonly evaluates: boolean; readonly tracing: boolean }) {
  return {
    platform: "node" as const,
    format: "cjs" as const,
    // Local mode runs the same code on Node 20.
    target: "node20",
    minify: true,
    mainFields: ["module", "main"],
    loader: textLoaders(),
    external: [
      ...UNUSED_CREDENTIAL_PROVIDERS,
      ...UNUSED_SDK_CAPABILITIES,
      ...(options.evaluates ? [CEDAR_MODULE, ...SHELL_PARSER_MODULES, SHELL_PARSER_ADAPTER] : []),
    ],
    define: {
      "process.env.GATES_TRACING": JSON.stringify(options.tracing ? "on" : "off"),
      ...(options.evaluates
        ? {
            "process.env.GATES_PREPARED_BUILTINS": JSON.stringify(JSON.stringify(preparedBuiltins())),
            "process.env.GATES_SHELL_PARSER": JSON.stringify("layer"),
          }
        : {}),
    },
  };
}

let prepared: ReturnType<typeof prepareBuiltins> | undefined;
/** The built-ins parsed once per build process, however many functions it bundles. */
function preparedBuiltins(): ReturnType<typeof prepareBuiltins> {
  prepared ??= prepareBuiltins(BUILTIN_POLICY_TEXTS);
  return prepared;
}

/**
 * Builds the parser adapter (see {@link SHELL_PARSER_ADAPTER}) as a CommonJS module with its
 * package.json into `moduleDir`, the parser modules left to the layer beside it.
 */
export function buildShellParserAdapter(moduleDir: string): void {
  buildSync({
    entryPoints: [SHELL_PARSER_ADAPTER_SOURCE],
    outfile: join(moduleDir, "index.js"),
    bundle: true,
    minify: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: [...SHELL_PARSER_MODULES],
    logLevel: "silent",
  });
  writeFileSync(
    join(moduleDir, "package.json"),
    `${JSON.stringify({ name: SHELL_PARSER_ADAPTER, private: true, main: "index.js" }, null, 2)}\n`,
  );
}
