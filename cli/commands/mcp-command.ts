import { loadGatewayConfig } from "../../mcp/gateway-config";
import { runGateway } from "../../mcp/run-gateway";
import { UsageError } from "../cli-io";
import type { Register } from "./register";

/**
 * `mcp`: the MCP gateway in the foreground. On stdio, stdout is the MCP channel, so everything
 * the gateway reports goes to stderr; it stops when its client closes stdin, or on Ctrl-C.
 */
export const registerMcpCommand: Register = (program, action) => {
  program
    .command("mcp")
    .description("run the MCP gateway: upstream MCP tools, each call checked by Approval Gates")
    .option("--config <file>", "the gateway configuration (env GATES_MCP_CONFIG)")
    .action(
      action(async (ctx, options: { config?: string }) => {
        const file = options.config ?? ctx.io.env.GATES_MCP_CONFIG;
        if (!file)
          throw new UsageError("name the gateway configuration with --config <file> or GATES_MCP_CONFIG");
        const config = await loadGatewayConfig(file);
        const gateway = await runGateway(config, {
          env: ctx.io.env,
          log: (message) => ctx.io.stderr.write(`gates mcp: ${message}\n`),
        });
        ctx.io.signal?.addEventListener("abort", () => void gateway.stop(), { once: true });
        await gateway.done;
      }),
    );
};
