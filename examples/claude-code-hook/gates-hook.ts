/**
 * A Claude Code PreToolUse hook: asks Approval Gates before every tool call and tells Claude
 * Code to allow or deny it, with the reason. Anything unexpected denies (fails closed).
 *
 * Environment: GATES_URL (default http://127.0.0.1:3000), GATES_TOKEN (an agent token; or
 * GATES_SIGV4=1 to sign with AWS credentials), and either GATES_TASK_ID or GATES_OWNER plus
 * GATES_REPO, from which a task per Claude Code session is registered.
 */
import { z } from "zod";
import { TASK_ID_PATTERN } from "../../contracts/api";
import { GatesClient } from "../../sdk";

const HookInputSchema = z.looseObject({
  session_id: z.string().min(1),
  tool_name: z.string().min(1),
  tool_input: z.record(z.string(), z.unknown()),
  tool_use_id: z.string().optional(),
});

/** What Claude Code reads from a PreToolUse hook's stdout. */
export interface HookOutput {
  hookSpecificOutput: {
    hookEventName: "PreToolUse";
    permissionDecision: "allow" | "deny";
    permissionDecisionReason: string;
  };
}

const answer = (allowed: boolean, reason: string): HookOutput => ({
  hookSpecificOutput: {
    hookEventName: "PreToolUse",
    permissionDecision: allowed ? "allow" : "deny",
    permissionDecisionReason: `Approval Gates: ${reason}`,
  },
});

/** A task id for a Claude Code session: stable, so every hook call of the session shares one task. */
export function taskIdForSession(sessionId: string): string {
  const id = `claude-${sessionId.replace(/[^A-Za-z0-9._:-]/g, "-")}`.slice(0, 128);
  return TASK_ID_PATTERN.test(id) ? id : "claude-session";
}

/** Decides one hook call; never throws, and denies whenever it cannot get an answer. */
export async function runHook(
  stdin: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<HookOutput> {
  try {
    const parsed = HookInputSchema.safeParse(JSON.parse(stdin));
    if (!parsed.success)
      return answer(false, "the hook input was not a PreToolUse event, so the call is blocked");
    const input = parsed.data;
    const client = new GatesClient({
      url: env.GATES_URL ?? "http://127.0.0.1:3000",
      auth:
        env.GATES_SIGV4 === "1" ? { sigv4: {} } : env.GATES_TOKEN ? { token: env.GATES_TOKEN } : undefined,
    });
    let taskId = env.GATES_TASK_ID;
    if (!taskId) {
      if (!env.GATES_OWNER || !env.GATES_REPO)
        return answer(false, "set GATES_TASK_ID, or GATES_OWNER and GATES_REPO, so the call can be checked");
      taskId = taskIdForSession(input.session_id);
      // Same id and body every time, so a repeat is answered with the existing task.
      await client.createTask({
        task_id: taskId,
        owner: env.GATES_OWNER,
        repo: env.GATES_REPO,
        description: `Claude Code session ${input.session_id}`,
      });
    }
    const result = await client.guard(taskId, input.tool_name, input.tool_input, {
      ...(input.tool_use_id ? { tool_use_id: input.tool_use_id } : {}),
    });
    return answer(result.allowed, result.reason);
  } catch (error) {
    return answer(
      false,
      `the call is blocked because the check failed (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin)
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

if (require.main === module) {
  readStdin()
    .then((stdin) => runHook(stdin, process.env))
    .then((output) => {
      process.stdout.write(`${JSON.stringify(output)}\n`);
      process.exit(0);
    });
}
