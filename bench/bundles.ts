import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { bundleOptions } from "../cdk/bundling";
import { ALL_FUNCTIONS, type FunctionSpec } from "../cdk/function-catalog";

const REPO = join(__dirname, "..");
const HANDLERS = join(REPO, "lambdas", "handlers");

/** The size of one function's bundle as the stack builds it. */
export interface BundleSize {
  /** The handler file under `lambdas/handlers/`, without `.ts`. */
  readonly entry: string;
  /** Minified bytes of the bundle, source map aside; Cedar and the shell parser come from layers. */
  readonly bytes: number;
  /** The largest packages in it, by bytes, for finding what to cut. */
  readonly largest: readonly { readonly name: string; readonly bytes: number }[];
  /** Every package with code in it. */
  readonly packages: readonly string[];
}

/**
 * Bundles one function exactly as the stack does (the same {@link bundleOptions}) and weighs the
 * result. esbuild is deterministic, so the size is a fact a test can hold to a budget.
 */
export async function measureBundle(
  spec: FunctionSpec,
  options: { tracing?: boolean } = {},
): Promise<BundleSize> {
  const result = await build({
    ...bundleOptions({ evaluates: spec.evaluates, tracing: options.tracing ?? false }),
    bundle: true,
    write: false,
    metafile: true,
    logLevel: "silent",
    absWorkingDir: REPO,
    entryPoints: [join(HANDLERS, `${spec.entry}.ts`)],
    outfile: join(REPO, "cdk.out", "bundle-sizes", `${spec.entry}.js`),
  });
  const [output] = Object.values(result.metafile.outputs);
  if (!output) throw new Error(`esbuild wrote no bundle for ${spec.entry}`);
  const byPackage = new Map<string, number>();
  for (const [path, input] of Object.entries(output.inputs)) {
    const name = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1] ?? "(this repository)";
    byPackage.set(name, (byPackage.get(name) ?? 0) + input.bytesInOutput);
  }
  const largest = [...byPackage]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, bytes]) => ({ name, bytes }));
  return { entry: spec.entry, bytes: output.bytes, largest, packages: [...byPackage.keys()].sort() };
}

/** Every function's bundle, in the catalog's order. */
export async function measureAllBundles(options: { tracing?: boolean } = {}): Promise<BundleSize[]> {
  const sizes: BundleSize[] = [];
  for (const spec of ALL_FUNCTIONS) sizes.push(await measureBundle(spec, options));
  return sizes;
}

/** Lambda entry points on disk: handler files that export `handler` (composition helpers do not). */
export function handlerEntries(): string[] {
  return readdirSync(HANDLERS)
    .filter((file) => file.endsWith(".ts"))
    .filter((file) => /export const handler\b/.test(readFileSync(join(HANDLERS, file), "utf8")))
    .map((file) => file.replace(/\.ts$/, ""))
    .sort();
}
