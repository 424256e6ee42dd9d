import { benchEngine, engineRows } from "./engine";
import { type BenchRow, printTable, RESULTS_PATH, saveResults } from "./results";

/** `npm run bench`: every benchmark, one table of figures against their targets, one results file. */
function main(): void {
  const rows: BenchRow[] = [];

  console.log("engine: 20 000 decisions on the built-in policies…");
  const engine = benchEngine();
  saveResults("engine", { ...engine });
  rows.push(...engineRows(engine));

  console.log();
  printTable(rows);
  console.log(`\nwritten to ${RESULTS_PATH}`);
}

main();
