import { Command, CommanderError } from "commander";
import { version } from "../package.json";
import { bindAction } from "./cli-context";
import type { CliIo } from "./cli-io";
import { registerApprovalCommands } from "./commands/approval-commands";
import { registerCompletionCommand } from "./commands/completion-command";
import { registerDevCommand } from "./commands/dev-command";
import { registerDoctorCommand } from "./commands/doctor-command";
import { registerGovernanceCommands } from "./commands/governance-commands";
import { registerLoginCommand } from "./commands/login-command";
import { registerMcpCommand } from "./commands/mcp-command";
import { registerPolicyCommands } from "./commands/policy-commands";
import type { ActionFactory } from "./commands/register";
import { registerSlackCommands } from "./commands/slack-commands";
import { registerTaskCommands } from "./commands/task-commands";
import { registerWebhookCommands } from "./commands/webhook-commands";

export type { CliIo } from "./cli-io";

/**
 * Runs `gates` with `argv` (the arguments after the program name) and returns the exit code:
 * 0 ok, 1 refused or a failed check, 2 usage. Nothing touches `process`, so tests run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = 0;
  const action: ActionFactory = (body) => bindAction(io, (code) => (exitCode = code), body);
  const program = new Command("gates")
    .description("Approval Gates: decide what your AI agents may do")
    .version(version, "-V, --version", "print the version")
    .option("--profile <name>", "the profile: an API URL and its credentials (env GATES_PROFILE)")
    .option("--url <url>", "the API (env GATES_URL)", undefined)
    .option("--token <token>", "a token, e.g. local:human:alice or a Cognito id token (env GATES_TOKEN)")
    .option("--sigv4", "sign requests with SigV4 from the default AWS credentials (agents on a deployed API)")
    .option("--json", "print JSON for scripts")
    .showHelpAfterError("(run `gates --help` for usage)")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  registerApprovalCommands(program, action);
  registerTaskCommands(program, action);
  registerPolicyCommands(program, action);
  registerGovernanceCommands(program, action);
  registerDoctorCommand(program, action);
  registerSlackCommands(program, action);
  registerWebhookCommands(program, action);
  registerDevCommand(program, action);
  registerLoginCommand(program, action);
  registerMcpCommand(program, action);
  registerCompletionCommand(program, io);
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    throw error;
  }
  return exitCode;
}

/**
 * The process entry: real streams, and Ctrl-C ends `--watch` and `dev` cleanly. A checkout
 * passes the local control plane for `gates dev`; the npm package has none.
 */
export async function main(extra: Pick<CliIo, "localControlPlane"> = {}): Promise<void> {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
  const stop = new AbortController();
  process.on("SIGINT", () => {
    // A second Ctrl-C means the clean stop is stuck.
    if (stop.signal.aborted) process.exit(130);
    stop.abort();
  });
  // A parent that stops its child (an MCP client closing `gates mcp`) gets the same clean stop.
  process.on("SIGTERM", () => stop.abort());
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: stop.signal,
    stdin: process.stdin,
    ...extra,
  });
  process.exit(code);
}

if (require.main === module) void main();
