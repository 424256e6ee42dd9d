import { join } from "node:path";
import { parseArgs } from "node:util";
import { replayDlq } from "./dlq";
import { localConsumers } from "./local-control-plane";

/**
 * `npm run dlq:replay`: hands every record in `.gates/dlq.jsonl` back to the local consumer
 * that gave up on it, once; records that fail again stay in the file.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { "data-dir": { type: "string" } } });
  const dataDir = values["data-dir"] ?? join(process.cwd(), ".gates");
  const port = process.env.GATES_PORT ?? "3000";
  const consumers = localConsumers({
    dataDir,
    baseUrl: `http://127.0.0.1:${port}`,
    notify: (text) => process.stdout.write(`${text}\n`),
  });
  const dlqPath = join(dataDir, "dlq.jsonl");
  const { delivered, kept } = await replayDlq(dlqPath, consumers);
  console.log(`${delivered} record(s) delivered, ${kept} kept in ${dlqPath}`);
  process.exitCode = kept > 0 ? 1 : 0;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
