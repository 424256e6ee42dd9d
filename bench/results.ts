import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const RESULTS_PATH = join(__dirname, "results.json");

/** One row of the printed table: a figure, its value and the target it is held to. */
export interface BenchRow {
  readonly figure: string;
  readonly value: string;
  readonly target: string;
  readonly met: boolean;
}

/** Merges one benchmark's figures into results.json, keeping the other benchmarks' keys. */
export function saveResults(key: string, figures: Record<string, unknown>): void {
  const current: unknown = existsSync(RESULTS_PATH) ? JSON.parse(readFileSync(RESULTS_PATH, "utf8")) : {};
  const merged = { ...(typeof current === "object" && current !== null ? current : {}), [key]: figures };
  writeFileSync(RESULTS_PATH, `${JSON.stringify(merged, null, 2)}\n`);
}

export function printTable(rows: readonly BenchRow[]): void {
  const header = ["figure", "value", "target", "met"];
  const cells = rows.map((r) => [r.figure, r.value, r.target, r.met ? "yes" : "NO"]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? "").length)));
  const line = (c: readonly string[]) => c.map((v, i) => v.padEnd(widths[i] ?? 0)).join("  ");
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const c of cells) console.log(line(c));
}
