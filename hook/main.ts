/**
 * The Claude Code PreToolUse hook of the Approval Gates plugin, bundled into one file that plain
 * `node` runs. Claude Code documents three ways a hook answers (hooks reference, "Exit code
 * output" and "PreToolUse decision control"): JSON with a `permissionDecision` on stdout and exit
 * 0; nothing on stdout and exit 0, which is no decision; and exit 2 with the reason on stderr,
 * which blocks whatever stdout says. Any other exit lets the call through, so this entry never
 * ends any other way: an uncaught error, a rejected promise or a missed deadline all become a
 * deny, and hooks.json turns even a crash of node itself into exit 2.
 */
import { join } from "node:path";
import { hookControlPlane } from "./hook-client";
import { answerDeadline, readHookSettings } from "./hook-config";
import { parseHookInput } from "./hook-input";
import { decidePreToolUse, fileSessionTasks, type HookAnswer } from "./pre-tool-use";

const PREFIX = "Approval Gates: ";
let answered = false;

/** Prints the answer and exits; the first answer wins, so a late one can never change it. */
function finish(answer: HookAnswer): void {
  if (answered) return;
  answered = true;
  if (answer.kind === "no_decision") process.exit(0);
  const output = {
    hookSpecificOutput: {
      hookEventName: "PreToolUse",
      permissionDecision: answer.kind,
      permissionDecisionReason: `${PREFIX}${answer.reason}`,
    },
  };
  try {
    process.stdout.write(`${JSON.stringify(output)}\n`, (error) => {
      if (error) blockWithoutJson(answer.reason);
      process.exit(0);
    });
  } catch {
    blockWithoutJson(answer.reason);
  }
}

/** The last resort: no JSON could be printed, so exit 2, which Claude Code treats as a block. */
function blockWithoutJson(reason: string): never {
  try {
    process.stderr.write(`${PREFIX}${reason}\n`);
  } finally {
    process.exit(2);
  }
}

process.on("uncaughtException", (error) => blockWithoutJson(`the hook failed (${error.message})`));
process.on("unhandledRejection", (error) => blockWithoutJson(`the hook failed (${String(error)})`));
// Nothing left to run and no answer given: ending quietly would be no decision, so block instead.
process.on("beforeExit", () => {
  if (!answered) blockWithoutJson("the hook ended without an answer");
});

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function main(): Promise<void> {
  const root = process.env.CLAUDE_PLUGIN_ROOT ?? join(__dirname, "..");
  const settings = readHookSettings(process.env, join(root, "hooks", "hooks.json"));
  const deadlineMs = answerDeadline(performance.timeOrigin, settings.timeoutS);
  // Whatever is still running at the deadline, the answer is a deny, given while Claude Code still listens.
  setTimeout(
    () =>
      finish({
        kind: "deny",
        reason: `no answer before the hook's ${settings.timeoutS} s timeout, so the call is blocked`,
      }),
    Math.max(0, deadlineMs - Date.now()),
  );

  const input = parseHookInput(await readStdin());
  if ("problem" in input) return finish({ kind: "deny", reason: `${input.problem}, so the call is blocked` });
  if (!settings.token)
    return finish({
      kind: "deny",
      reason: "no agent token is set (the plugin's agent_token, or GATES_TOKEN), so the call is blocked",
    });
  finish(
    await decidePreToolUse(input, {
      settings,
      plane: hookControlPlane(settings.url, settings.token),
      tasks: fileSessionTasks(settings.stateDir, settings.url),
      deadlineMs,
    }),
  );
}

main().catch((error: unknown) => blockWithoutJson(`the hook failed (${String(error)})`));
