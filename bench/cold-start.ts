import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type BuildOptions, build } from "esbuild";
import { SHELL_PARSER_MODULES, textLoaders } from "../cdk/constructs/gates-function";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

const REPO = join(__dirname, "..");
const HANDLERS = join(REPO, "lambdas", "handlers");
const CEDAR_MODULE = "@cedar-policy/cedar-wasm";

/** What the cold-start benchmark measures. */
export interface ColdStartFigures {
  /** Median time for a fresh Node process to load the bundled evaluate handler, preparse the built-in policies and load the shell parser. */
  readonly evaluate_init_ms: number;
  /** The largest minified bundle of a function that does not load Cedar. */
  readonly largest_non_cedar_bundle_kb: number;
  readonly largest_non_cedar_bundle: string;
  readonly samples_ms: readonly number[];
}

/** The bundling the CDK stack uses for every function, so the figures are those of what ships. */
const SHIPPED: BuildOptions = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  minify: true,
  loader: textLoaders(),
  external: [CEDAR_MODULE, ...SHELL_PARSER_MODULES],
  logLevel: "silent",
};

/**
 * Bundles the agent (evaluate) handler as the stack does, then starts `runs` fresh Node processes
 * that each time loading the bundle plus preparsing the built-in policy set, the work a cold
 * Lambda does before its first decision; Cedar resolves from node_modules as it would from the layer.
 * Also bundles every handler and reports the largest one that leaves Cedar out.
 */
export async function benchColdStart(runs = 5): Promise<ColdStartFigures> {
  const scratch = mkdtempSync(join(tmpdir(), "gates-cold-start-"));
  try {
    const evaluateBundle = join(scratch, "evaluate.js");
    await build({
      ...SHIPPED,
      stdin: {
        // The handler module as deployed, plus what a first evaluation preparses.
        contents: [
          'export { handler } from "./lambdas/handlers/api-agent";',
          'export { CedarPolicyEngine } from "./lambdas/adapters/cedar/cedar-engine";',
          'export { loadBashParser } from "./lambdas/adapters/shell/tree-sitter-bash";',
          'export { BUILTIN_POLICY_TEXTS } from "./lambdas/policies/builtin";',
        ].join("\n"),
        resolveDir: REPO,
        loader: "ts",
      },
      outfile: evaluateBundle,
    });
    const samples = Array.from({ length: runs }, () => initOnce(evaluateBundle));

    let largest = { name: "", bytes: 0 };
    for (const entry of handlerEntries()) {
      const outfile = join(scratch, entry.replace(/\.ts$/, ".js"));
      await build({ ...SHIPPED, entryPoints: [join(HANDLERS, entry)], outfile });
      const loadsCedar = readFileSync(outfile, "utf8").includes(CEDAR_MODULE);
      const bytes = statSync(outfile).size;
      if (!loadsCedar && bytes > largest.bytes) largest = { name: entry, bytes };
    }
    return {
      evaluate_init_ms: round(
        percentile(
          [...samples].sort((a, b) => a - b),
          50,
        ),
      ),
      largest_non_cedar_bundle_kb: round(largest.bytes / 1024),
      largest_non_cedar_bundle: largest.name,
      samples_ms: samples.map((ms) => round(ms)),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The table rows of the figures against their targets. */
export function coldStartRows(f: ColdStartFigures): BenchRow[] {
  return [
    {
      figure: "evaluate init with the shell parser, median of fresh processes (ms)",
      value: String(f.evaluate_init_ms),
      target: "≤ 250",
      met: f.evaluate_init_ms <= 250,
    },
    {
      figure: `largest non-Cedar bundle (KB, ${f.largest_non_cedar_bundle})`,
      value: String(f.largest_non_cedar_bundle_kb),
      target: "≤ 400",
      met: f.largest_non_cedar_bundle_kb <= 400,
    },
  ];
}

/** Lambda entry points: handler files that export `handler` (helpers such as the composition root do not). */
function handlerEntries(): string[] {
  return readdirSync(HANDLERS)
    .filter((file) => file.endsWith(".ts"))
    .filter((file) => /export const handler\b/.test(readFileSync(join(HANDLERS, file), "utf8")))
    .sort();
}

/** One fresh process: the time from before `require` to a preparsed built-in policy set and a loaded shell parser. */
function initOnce(bundle: string): number {
  const script = [
    "const start = performance.now();",
    `const m = require(${JSON.stringify(bundle)});`,
    "new m.CedarPolicyEngine(m.BUILTIN_POLICY_TEXTS).compile();",
    "m.loadBashParser().then(() => process.stdout.write(String(performance.now() - start)));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: {
      ...process.env,
      // Where the layers put Cedar and the parser in Lambda; here, the workspace's installs of the pins.
      NODE_PATH: join(REPO, "node_modules"),
      AWS_REGION: "us-east-1",
      GATES_TABLE_PREFIX: "bench-cold-start",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  const ms = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(ms)) {
    throw new Error(`cold start run failed (${child.status}): ${child.stderr.slice(0, 500)}`);
  }
  return ms;
}
