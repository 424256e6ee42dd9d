/**
 * A minimal agent loop: every tool call is put to Approval Gates with `guard` before it runs.
 * The "model" here is a fixed script of calls so the example runs anywhere; swap in your own.
 *
 *   npm start                                              # the control plane
 *   GATES_TOKEN=local:agent:loop npx tsx examples/agent-loop/agent-loop.ts
 *   GATES_TOKEN=local:human:alice npx gates pending        # then approve or deny the force push
 */
import { randomUUID } from "node:crypto";
import { GatesClient } from "../../sdk";

/** A tool call the model wants to make. */
export interface PlannedCall {
  readonly tool_name: string;
  readonly tool_input: Record<string, unknown>;
}

/** What happened to each call: run (with its output) or blocked (with the reason). */
export interface LoopStep {
  readonly call: PlannedCall;
  readonly ran: boolean;
  readonly note: string;
}

/** Runs the calls in order, each only if Approval Gates allows it; a blocked call is reported back, not run. */
export async function runAgentLoop(
  client: GatesClient,
  taskId: string,
  calls: readonly PlannedCall[],
  runTool: (call: PlannedCall) => Promise<string>,
  log: (line: string) => void = () => undefined,
): Promise<LoopStep[]> {
  const steps: LoopStep[] = [];
  for (const call of calls) {
    log(`→ ${call.tool_name} ${JSON.stringify(call.tool_input)}`);
    const verdict = await client.guard(taskId, call.tool_name, call.tool_input);
    // A real agent feeds the reason back to the model so it can change course.
    const step = verdict.allowed
      ? { call, ran: true, note: await runTool(call) }
      : { call, ran: false, note: verdict.reason };
    log(`  ${step.ran ? "ran" : "blocked"}: ${step.note}`);
    steps.push(step);
  }
  return steps;
}

async function main(): Promise<void> {
  const client = new GatesClient({
    url: process.env.GATES_URL ?? "http://127.0.0.1:3000",
    auth: { token: process.env.GATES_TOKEN ?? "local:agent:loop" },
  });
  const task = await client.createTask({
    task_id: `loop-${randomUUID().slice(0, 8)}`,
    owner: process.env.GATES_OWNER ?? "alice",
    repo: process.env.GATES_REPO ?? "acme/app",
    description: "agent-loop example",
  });
  console.log(`task ${task.task_id}; approve with: gates approve ${task.task_id} <request_id>`);
  const plan: PlannedCall[] = [
    { tool_name: "Read", tool_input: { file_path: "README.md" } },
    { tool_name: "Bash", tool_input: { command: "rm -rf /" } },
    { tool_name: "Bash", tool_input: { command: "git push --force origin main" } },
  ];
  // Pretend to run the tool; a real agent would execute it here.
  await runAgentLoop(
    client,
    task.task_id,
    plan,
    async (c) => `(pretend output of ${c.tool_name})`,
    console.log,
  );
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
