/**
 * `gates-mcp.js`, the gateway bundled into one file for the Claude Code plugin's .mcp.json:
 * the same gateway as `gates mcp`, without the rest of the CLI. Usage: `--config <file>` (or
 * GATES_MCP_CONFIG). Everything it reports goes to stderr; on stdio, stdout is the MCP channel.
 */
import { parseArgs } from "node:util";
import { loadGatewayConfig } from "./gateway-config";
import { runGateway } from "./run-gateway";

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: "string" } } });
  const file = values.config?.trim() || process.env.GATES_MCP_CONFIG;
  if (!file) throw new Error("name the gateway configuration with --config <file> or GATES_MCP_CONFIG");
  const gateway = await runGateway(await loadGatewayConfig(file), {
    env: process.env,
    log: (message) => process.stderr.write(`gates mcp: ${message}\n`),
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => void gateway.stop());
  await gateway.done;
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`gates mcp: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
