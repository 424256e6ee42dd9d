import { UsageError } from "../cli-io";
import type { Register } from "./register";

/** `dev`: the local control plane in the foreground, as `npm start` runs it, until Ctrl-C. */
export const registerDevCommand: Register = (program, action) => {
  program
    .command("dev")
    .description("run the local control plane in the foreground (Ctrl-C stops it)")
    .option("--port <port>", "API port", "3000")
    .option("--in-memory", "keep nothing on disk")
    .action(
      action(async (ctx, options: { port: string; inMemory?: boolean }) => {
        const port = Number(options.port);
        if (!Number.isInteger(port) || port < 0 || port > 65535)
          throw new UsageError(`--port ${options.port} is not a port`);
        const local = ctx.io.localControlPlane;
        if (!local)
          throw new UsageError(
            "gates dev runs the local control plane, which comes with a checkout of Approval Gates (npm ci && npm start), not with this package",
          );
        const plane = await local().startLocalControlPlane({
          port,
          inMemory: options.inMemory === true,
          notify: (text) => ctx.out.line(text),
          onError: (message, error) =>
            ctx.out.error(`${message}: ${error instanceof Error ? error.message : String(error)}`),
        });
        ctx.out.line(`Approval Gates local control plane on ${plane.url}`);
        ctx.out.line(`  export GATES_URL=${plane.url} GATES_TOKEN=local:human:alice`);
        ctx.out.line("  agents: local:agent:<id> · humans: local:human:<id> · admins: local:admin:<id>");
        ctx.out.line("Approval requests appear below. Ctrl-C stops everything.");
        const signal = ctx.io.signal;
        await new Promise<void>((resolve) => {
          if (!signal || signal.aborted) return resolve();
          signal.addEventListener("abort", () => resolve(), { once: true });
        });
        ctx.out.line("Stopping…");
        await plane.stop();
      }),
    );
};
