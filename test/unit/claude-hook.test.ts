import type { EvaluationResponse } from "../../contracts/api";
import type { HookControlPlane } from "../../hook/hook-client";
import { answerDeadline, hookTimeoutS, readHookSettings, UNKNOWN_TIMEOUT_S } from "../../hook/hook-config";
import { parseHookInput } from "../../hook/hook-input";
import { judgedInput } from "../../hook/judged-input";
import { decidePreToolUse, type SessionTasks, taskIdForSession } from "../../hook/pre-tool-use";

describe("the input the hook has judged", () => {
  it("sends a small input whole", () => {
    const input = { file_path: "a.ts", content: "x" };
    expect(judgedInput("Write", input, 1000)).toEqual({ kind: "whole", input });
  });

  it("digests the long texts of a large file write, keeping the path and short fields", () => {
    const content = "y".repeat(5000);
    const judged = judgedInput("Edit", { file_path: ".env", old_string: "a", new_string: content }, 2000);
    expect(judged).toEqual({
      kind: "digest",
      input: {
        file_path: ".env",
        old_string: "a",
        new_string: `${"y".repeat(1024)}…`,
        new_string_sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        new_string_bytes: 5000,
      },
    });
  });

  it("never lets a field named like a digest stand in for the real one", () => {
    const judged = judgedInput("Write", { content: "z".repeat(5000), content_sha256: "0".repeat(64) }, 2000);
    expect(judged.kind === "digest" && judged.input.content_sha256).not.toBe("0".repeat(64));
  });

  it("refuses a large input of any other tool", () => {
    expect(judgedInput("Bash", { command: "x".repeat(5000) }, 2000)).toEqual({
      kind: "too_large",
      bytes: 5014,
    });
  });
});

describe("the hook's payload", () => {
  it.each([
    ["not json", "not JSON"],
    ["[]", "not a JSON object"],
    [
      '{"hook_event_name":"Stop","session_id":"s","tool_name":"Bash","tool_input":{}}',
      "Stop, not PreToolUse",
    ],
    ['{"session_id":"","tool_name":"Bash","tool_input":{}}', "no session_id"],
    ['{"session_id":"s","tool_input":{}}', "no usable tool_name"],
    ['{"session_id":"s","tool_name":"Bash","tool_input":"ls"}', "not an object"],
  ])("%s is refused: %s", (stdin, problem) => {
    expect(parseHookInput(stdin)).toEqual({ problem: expect.stringContaining(problem) });
  });
});

describe("the hook's timeout, read from hooks.json", () => {
  const hooksJson = (handler: Record<string, unknown>) =>
    JSON.stringify({ hooks: { PreToolUse: [{ matcher: "Bash", hooks: [handler] }] } });

  it("is the timeout of the handler that runs this hook", () => {
    expect(
      hookTimeoutS({}, hooksJson({ command: 'node "x/dist/gates-hook.js" || exit 2', timeout: 42 })),
    ).toBe(42);
  });

  it("is Claude Code's default when that handler names none, and short when the file is missing or broken", () => {
    expect(hookTimeoutS({}, hooksJson({ command: "node gates-hook.js" }))).toBe(600);
    expect(hookTimeoutS({}, undefined)).toBe(UNKNOWN_TIMEOUT_S);
    expect(hookTimeoutS({}, "{")).toBe(UNKNOWN_TIMEOUT_S);
  });

  it("can be set by GATES_HOOK_TIMEOUT_S for a hook installed by hand", () => {
    expect(hookTimeoutS({ GATES_HOOK_TIMEOUT_S: "90" }, undefined)).toBe(90);
  });

  it("leaves a margin before Claude Code would cancel the hook", () => {
    expect(answerDeadline(1_000, 900)).toBe(1_000 + 895_000);
    expect(answerDeadline(1_000, 8)).toBe(1_000 + 7_200);
  });

  it("prefers the plugin's options over GATES_* variables", () => {
    const settings = readHookSettings(
      { CLAUDE_PLUGIN_OPTION_OWNER: "alice", GATES_OWNER: "mallory" },
      undefined,
    );
    expect(settings.owner).toBe("alice");
  });
});

describe("deciding one call", () => {
  const settings = readHookSettings(
    { GATES_OWNER: "alice", GATES_REPO: "acme/app", GATES_TOKEN: "t" },
    undefined,
  );
  const remembered = new Map<string, string>();
  const tasks: SessionTasks = {
    get: (s) => remembered.get(s),
    remember: (s, t) => void remembered.set(s, t),
  };
  const evaluation = (e: Partial<EvaluationResponse>): EvaluationResponse => ({
    decision: "ALLOW",
    source: "default_allow",
    reason: "r",
    rule_ids: [],
    event_seq: 2,
    input_sha256: "",
    ...e,
  });
  function plane(answer: EvaluationResponse): HookControlPlane {
    return {
      createTask: async () => undefined,
      evaluate: async () => answer,
      getApproval: async () => {
        throw new Error("not asked");
      },
      withdraw: async () => undefined,
    };
  }
  const input = { session_id: "s-1", tool_name: "Bash", tool_input: { command: "ls" } };
  const deadlineMs = Date.now() + 60_000;

  it.each([
    ["default_allow", evaluation({}), "no_decision"],
    ["an ALLOW from an unknown source", evaluation({ source: "something_new" }), "no_decision"],
    ["a grant", evaluation({ source: "grant" }), "allow"],
    ["a DENY", evaluation({ decision: "DENY", source: "hard_deny" }), "deny"],
    ["a REQUIRE_APPROVAL without a request id", evaluation({ decision: "REQUIRE_APPROVAL" }), "deny"],
  ])("%s gives %s", async (_name, answer, kind) => {
    await expect(
      decidePreToolUse(input, { settings, plane: plane(answer), tasks, deadlineMs }),
    ).resolves.toMatchObject({
      kind,
    });
  });

  it("leaves the gateway's own tools to the gateway and judges every other MCP tool", async () => {
    const asked: string[] = [];
    const p = plane(evaluation({ decision: "DENY", source: "hard_deny" }));
    const evaluate = p.evaluate;
    p.evaluate = async (taskId, call, deadline) => {
      asked.push(call.tool_name);
      return evaluate(taskId, call, deadline);
    };
    const call = (tool_name: string) =>
      decidePreToolUse({ ...input, tool_name }, { settings, plane: p, tasks, deadlineMs });
    await expect(call("mcp__plugin_approval-gates_gates__github__create_issue")).resolves.toMatchObject({
      kind: "no_decision",
    });
    await expect(call("mcp__gates__fs__write_file")).resolves.toMatchObject({ kind: "no_decision" });
    await expect(call("mcp__shell__exec")).resolves.toMatchObject({ kind: "deny" });
    await expect(call("mcp__gatesx__exec")).resolves.toMatchObject({ kind: "deny" });
    expect(asked).toEqual(["mcp__shell__exec", "mcp__gatesx__exec"]);
  });

  it("ignores a remembered task that is not the session's own", async () => {
    remembered.set("s-2", "someone-elses-task");
    const asked: string[] = [];
    const p = plane(evaluation({}));
    p.evaluate = async (taskId) => {
      asked.push(taskId);
      return evaluation({});
    };
    await decidePreToolUse({ ...input, session_id: "s-2" }, { settings, plane: p, tasks, deadlineMs });
    expect(asked).toEqual([taskIdForSession("s-2")]);
  });
});
