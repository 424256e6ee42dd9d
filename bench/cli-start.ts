import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { join } from "node:path";
import { buildCliPackage } from "../scripts/build-packages";
import type { BenchRow } from "./results";
import { percentile, round } from "./stats";

const REPO = join(__dirname, "..");
/** The target of `gates --version` on this machine. */
const VERSION_TARGET_MS = 300;

/** What the CLI start-up benchmark measures. */
export interface CliStartFigures {
  /** Median wall time of `node gates.cjs --version`, a fresh process each time. */
  readonly version_ms: number;
  /** Median wall time of `node gates.cjs --help`. */
  readonly help_ms: number;
  /** Median wall time of `node -e 0` in the same run: what any Node program pays to start. */
  readonly node_floor_ms: number;
  readonly version_over_floor: number;
}

function wallMs(args: readonly string[]): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (run.status !== 0)
    throw new Error(`${args.join(" ")} failed (${run.status}): ${run.stderr.slice(0, 300)}`);
  return ms;
}

function median(samples: readonly number[]): number {
  return round(
    percentile(
      [...samples].sort((a, b) => a - b),
      50,
    ),
  );
}

/**
 * Builds the CLI package as `npm run build:packages` does, in a directory inside the checkout
 * (so its dependencies resolve from node_modules as they would when installed), then times
 * `--version`, `--help` and bare Node, interleaved so load on the machine hits all three alike.
 */
export async function benchCliStart(runs = 20): Promise<CliStartFigures> {
  // dist/ is build output, absent from a fresh clone.
  mkdirSync(join(REPO, "dist"), { recursive: true });
  const dir = mkdtempSync(join(REPO, "dist", "bench-cli-"));
  try {
    await buildCliPackage(dir);
    const bin = join(dir, "gates.cjs");
    const version: number[] = [];
    const help: number[] = [];
    const floor: number[] = [];
    // One warm-up of each, so the file cache is as a second run in a terminal finds it.
    wallMs([bin, "--version"]);
    wallMs(["-e", "0"]);
    for (let i = 0; i < runs; i += 1) {
      version.push(wallMs([bin, "--version"]));
      help.push(wallMs([bin, "--help"]));
      floor.push(wallMs(["-e", "0"]));
    }
    const figures = { version_ms: median(version), help_ms: median(help), node_floor_ms: median(floor) };
    return { ...figures, version_over_floor: round(figures.version_ms / figures.node_floor_ms, 2) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The table rows of the figures against their targets. */
export function cliStartRows(f: CliStartFigures): BenchRow[] {
  return [
    {
      figure: "gates --version, packaged, median wall time (ms)",
      value: `${f.version_ms} (${f.version_over_floor} × node -e 0 at ${f.node_floor_ms})`,
      target: `≤ ${VERSION_TARGET_MS}`,
      met: f.version_ms <= VERSION_TARGET_MS,
    },
    {
      figure: "gates --help, packaged, median wall time (ms)",
      value: String(f.help_ms),
      target: `≤ ${VERSION_TARGET_MS}`,
      met: f.help_ms <= VERSION_TARGET_MS,
    },
  ];
}
