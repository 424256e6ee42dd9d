import { benchClaudeHook, claudeHookRows } from "./claude-hook";
import { benchCliStart, cliStartRows } from "./cli-start";
import { benchColdStart, coldStartRows } from "./cold-start";
import { benchContention, contentionRows } from "./contention";
import {
  benchEvaluateHttp,
  benchPropagation,
  evaluateHttpRows,
  propagationRows,
  withLocalControlPlane,
} from "./control-plane";
import { benchEngine, engineRows } from "./engine";
import { benchLocks, lockRows, placeUnrelatedLocks } from "./locks";
import { type BenchRow, printTable, RESULTS_PATH, saveResults } from "./results";
import { benchSoak, soakRows } from "./soak";

/** `npm run bench`: every benchmark, one table of figures against their targets, one results file. */
async function main(): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const rows: BenchRow[] = [];

  console.log("engine: 20 000 decisions on the built-in policies…");
  const engine = await benchEngine();
  saveResults("engine", { ...engine });
  rows.push(...engineRows(engine));

  console.log("cold start: bundling the handlers, 5 fresh processes…");
  const coldStart = await benchColdStart();
  saveResults("cold_start", {
    evaluate_init_ms: coldStart.evaluate_init_ms,
    require_ms: coldStart.require_ms,
    parser_wait_ms: coldStart.parser_wait_ms,
    node_floor_ms: coldStart.node_floor_ms,
    ratio_to_floor: coldStart.ratio_to_floor,
    bundles_kb: coldStart.bundles_kb,
  });
  rows.push(...coldStartRows(coldStart));

  console.log("cli start-up: the packaged gates bin, 20 fresh processes each…");
  const cliStart = await benchCliStart();
  saveResults("cli_start", { ...cliStart });
  rows.push(...cliStartRows(cliStart));

  await withLocalControlPlane(async (plane) => {
    console.log("evaluate over HTTP: 1 000 ALLOW evaluations against the DynamoDB floor, 20 locks checked…");
    await placeUnrelatedLocks(plane, 20);
    const evaluateHttp = await benchEvaluateHttp(plane);
    saveResults("evaluate_http", { ...evaluateHttp });
    rows.push(...evaluateHttpRows(evaluateHttp));

    console.log("propagation: 60 approvals to long-polling agents…");
    const propagation = await benchPropagation(plane);
    saveResults("propagation", { ...propagation });
    rows.push(...propagationRows(propagation));

    console.log("Claude Code hook: 40 runs of the bundled hook against bare node starts…");
    const claudeHook = await benchClaudeHook(plane);
    saveResults("claude_hook", { ...claudeHook });
    rows.push(...claudeHookRows(claudeHook));
    console.log("locks: 30 locks placed and lifted, here and in a second process…");
    const locks = await benchLocks(plane);
    saveResults("locks", { ...locks });
    rows.push(...lockRows(locks));
  });

  console.log("ledger contention: one task, 8 concurrent agents, 2 000 evaluations…");
  const contention = await benchContention();
  saveResults("ledger_contention", { ...contention });
  rows.push(...contentionRows(contention));

  const soakS = Number(process.env.BENCH_SOAK_S ?? 300);
  console.log(`soak: ${soakS} s of steady traffic against npm start (BENCH_SOAK_S to change)…`);
  const soak = await benchSoak(soakS);
  saveResults("soak", { ...soak });
  rows.push(...soakRows(soak));

  console.log();
  printTable(rows);
  console.log(`\nwritten to ${RESULTS_PATH}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
