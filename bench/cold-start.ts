import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { build } from "esbuild";
import {
  BUNDLE_BUDGET_BYTES,
  buildShellParserAdapter,
  bundleOptions,
  SHELL_PARSER_ADAPTER,
} from "../cdk/bundling";
import { type BundleSize, measureAllBundles } from "./bundles";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

const REPO = join(__dirname, "..");

/** What the cold-start benchmark measures. */
export interface ColdStartFigures {
  /** Median time for a fresh Node process to load the bundled evaluate handler, preparse the built-in policies and load the shell parser. */
  readonly evaluate_init_ms: number;
  /**
   * The medians of its parts: loading the bundle, which builds the handler's dependencies and so
   * preparses the built-in policies, then waiting for the shell parser that loads meanwhile.
   */
  readonly require_ms: number;
  readonly parser_wait_ms: number;
  /**
   * The floor of the same run: median wall time of a fresh `node -e 0`, started interleaved with
   * the samples, so load on the machine weighs on both alike.
   */
  readonly node_floor_ms: number;
  /** `evaluate_init_ms` over the floor. */
  readonly ratio_to_floor: number;
  /** Every function's minified bundle in KB, Cedar and the shell parser aside. */
  readonly bundles_kb: Readonly<Record<string, number>>;
  readonly samples_ms: readonly number[];
}

/**
 * Bundles the agent (evaluate) handler as the stack does, then starts `runs` fresh Node processes
 * that each time loading it (which preparses the built-in policy set) and the shell parser, the
 * work a cold Lambda does before its first decision; Cedar resolves from node_modules as it would
 * from the layer, and the parser's adapter from the same build as the parser layer's.
 * Also bundles every function as the stack does and reports each size.
 */
export async function benchColdStart(runs = 5): Promise<ColdStartFigures> {
  const scratch = mkdtempSync(join(tmpdir(), "gates-cold-start-"));
  try {
    const evaluateBundle = join(scratch, "evaluate.js");
    // The parser's adapter as the parser layer carries it.
    buildShellParserAdapter(join(scratch, "node_modules", ...SHELL_PARSER_ADAPTER.split("/")));
    await build({
      ...bundleOptions({ evaluates: true, tracing: false }),
      bundle: true,
      logLevel: "silent",
      stdin: {
        // The handler module as deployed, which preparses the built-ins as it loads, plus the
        // parser it starts loading, for the first evaluation to wait on.
        contents: [
          'export { handler } from "./lambdas/handlers/api-agent";',
          `export { loadBashParser } from ${JSON.stringify(SHELL_PARSER_ADAPTER)};`,
        ].join("\n"),
        resolveDir: REPO,
        loader: "ts",
      },
      outfile: evaluateBundle,
    });
    const samples: InitSample[] = [];
    const floors: number[] = [];
    for (let i = 0; i < runs; i++) {
      samples.push(initOnce(evaluateBundle, join(scratch, "node_modules")));
      floors.push(bareNode());
    }
    const median = (pick: (s: InitSample) => number) =>
      round(
        percentile(
          samples.map(pick).sort((a, b) => a - b),
          50,
        ),
      );
    const bundles: BundleSize[] = await measureAllBundles();
    return {
      evaluate_init_ms: median((s) => s.total),
      node_floor_ms: round(
        percentile(
          [...floors].sort((a, b) => a - b),
          50,
        ),
      ),
      ratio_to_floor: round(
        median((s) => s.total) /
          percentile(
            [...floors].sort((a, b) => a - b),
            50,
          ),
        2,
      ),
      require_ms: median((s) => s.required),
      parser_wait_ms: median((s) => s.total - s.required),
      bundles_kb: Object.fromEntries(bundles.map((b) => [b.entry, round(b.bytes / 1024)])),
      samples_ms: samples.map((s) => round(s.total)),
    };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

/** The table rows of the figures against their targets. */
export function coldStartRows(f: ColdStartFigures): BenchRow[] {
  const budgetKb = BUNDLE_BUDGET_BYTES / 1024;
  return [
    {
      figure: "evaluate init with the shell parser, median of fresh processes (ms)",
      value: String(f.evaluate_init_ms),
      target: "≤ 250",
      met: f.evaluate_init_ms <= 250,
    },
    {
      figure: "  of it: require with the built-ins preparsed / parser wait (ms)",
      value: `${f.require_ms} / ${f.parser_wait_ms}`,
      target: "-",
      met: true,
    },
    {
      figure: "  against a fresh `node -e 0` in the same run (ms, ratio)",
      value: `${f.node_floor_ms}, ${f.ratio_to_floor} ×`,
      target: "floor",
      met: true,
    },
    ...Object.entries(f.bundles_kb).map(([entry, kb]) => ({
      figure: `bundle ${entry} (KB, minified, Cedar and the parser aside)`,
      value: String(kb),
      target: `≤ ${budgetKb}`,
      met: kb <= budgetKb,
    })),
  ];
}

/** The moments of one fresh process, in ms from before `require`. */
interface InitSample {
  readonly required: number;
  readonly total: number;
}

/** One fresh process: the time from before `require` to a preparsed built-in policy set and a loaded shell parser. */
function initOnce(bundle: string, layerModules: string): InitSample {
  const script = [
    "const start = performance.now();",
    `const m = require(${JSON.stringify(bundle)});`,
    "const required = performance.now() - start;",
    "m.loadBashParser().then(() => process.stdout.write(JSON.stringify({ required, total: performance.now() - start })));",
  ].join("\n");
  const child = spawnSync(process.execPath, ["-e", script], {
    encoding: "utf8",
    env: {
      ...process.env,
      // Where the layers put Cedar and the parser in Lambda; here, the workspace's installs of the pins.
      NODE_PATH: [layerModules, join(REPO, "node_modules")].join(delimiter),
      AWS_REGION: "us-east-1",
      GATES_TABLE_PREFIX: "bench-cold-start",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    },
  });
  let sample: InitSample | undefined;
  try {
    sample = JSON.parse(child.stdout) as InitSample;
  } catch {
    sample = undefined;
  }
  if (child.status !== 0 || !sample || !Number.isFinite(sample.total)) {
    throw new Error(`cold start run failed (${child.status}): ${child.stderr.slice(0, 500)}`);
  }
  return sample;
}

/** The wall time of a fresh Node process that does nothing: the floor of any cold start here. */
function bareNode(): number {
  const start = performance.now();
  const child = spawnSync(process.execPath, ["-e", "0"]);
  if (child.status !== 0) throw new Error("node -e 0 failed");
  return performance.now() - start;
}
