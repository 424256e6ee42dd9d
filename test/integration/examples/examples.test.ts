import { runAgentLoop } from "../../../examples/agent-loop/agent-loop";
import { GatesClient } from "../../../sdk";
import { type Harness, startHarness } from "../../support/control-plane-harness";
import { AGENT } from "../../support/gates-client";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.stop());

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
