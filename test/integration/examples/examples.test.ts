import { runAgentLoop } from "../../../examples/agent-loop/agent-loop";
import { runHook, taskIdForSession } from "../../../examples/claude-code-hook/gates-hook";
import { GatesClient } from "../../../sdk";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { AGENT, OWNER, waitFor } from "../../support/gates-client";

let h: Harness;
let owner: GatesClient;
beforeAll(async () => {
  h = await startHarness();
  owner = new GatesClient({ url: h.plane.url, auth: { token: OWNER } });
});
afterAll(() => h.stop());

let sessions = 0;
function hookEnv() {
  return { GATES_URL: h.plane.url, GATES_TOKEN: AGENT, GATES_OWNER: "alice", GATES_REPO: "acme/app" };
}
function hookInput(command: string) {
  sessions += 1;
  const session_id = `sess-${Date.now().toString(36)}-${sessions}`;
  return {
    session_id,
    stdin: JSON.stringify({
      session_id,
      hook_event_name: "PreToolUse",
      tool_name: "Bash",
      tool_input: { command },
    }),
  };
}

describe("the Claude Code PreToolUse hook", () => {
  it("allows a harmless command, creating the session's task on first use", async () => {
    const { session_id, stdin } = hookInput("ls -la");
    const out = await runHook(stdin, hookEnv());
    expect(out.hookSpecificOutput).toMatchObject({
      hookEventName: "PreToolUse",
      permissionDecision: "allow",
    });
    expect((await owner.task(taskIdForSession(session_id))).status).toBe("RUNNING");
    // A second call of the same session reuses the task.
    await expect(runHook(stdin, hookEnv())).resolves.toMatchObject({
      hookSpecificOutput: { permissionDecision: "allow" },
    });
  });

  it("denies a hard-rule command with the reason", async () => {
    const out = await runHook(hookInput("rm -rf /").stdin, hookEnv());
    expect(out.hookSpecificOutput.permissionDecision).toBe("deny");
    expect(out.hookSpecificOutput.permissionDecisionReason).toMatch(/^Approval Gates: /);
  });

  it("asks, waits, and allows a force push once alice approves", async () => {
    const { session_id, stdin } = hookInput("git push --force origin main");
    const decision = runHook(stdin, hookEnv());
    const taskId = taskIdForSession(session_id);
    const requestId = await waitFor(
      async () => (await owner.pending()).find((p) => p.task_id === taskId)?.request_id,
      5000,
      "the hook's request",
    );
    await owner.approve(taskId, requestId);
    await expect(decision).resolves.toMatchObject({ hookSpecificOutput: { permissionDecision: "allow" } });
  });

  it("fails closed on bad input, missing settings and an unreachable control plane", async () => {
    const deny = { hookSpecificOutput: { permissionDecision: "deny" } };
    await expect(runHook("not json", hookEnv())).resolves.toMatchObject(deny);
    await expect(
      runHook(hookInput("ls").stdin, { GATES_URL: h.plane.url, GATES_TOKEN: AGENT }),
    ).resolves.toMatchObject(deny);
    await expect(
      runHook(hookInput("ls").stdin, { ...hookEnv(), GATES_URL: "http://127.0.0.1:9" }),
    ).resolves.toMatchObject(deny);
  });
});

describe("the agent-loop example", () => {
  it("runs allowed calls and reports blocked ones without running them", async () => {
    const agent = new GatesClient({ url: h.plane.url, auth: { token: AGENT } });
    const task = await agent.createTask({
      task_id: `loop-${Date.now().toString(36)}`,
      owner: "alice",
      repo: "acme/app",
    });
    const ran: string[] = [];
    const steps = await runAgentLoop(
      agent,
      task.task_id,
      [
        { tool_name: "Read", tool_input: { file_path: "README.md" } },
        { tool_name: "Bash", tool_input: { command: "rm -rf /" } },
      ],
      async (call) => {
        ran.push(call.tool_name);
        return "ok";
      },
    );
    expect(steps.map((s) => s.ran)).toEqual([true, false]);
    expect(ran).toEqual(["Read"]);
  });
});
