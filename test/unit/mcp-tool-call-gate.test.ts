import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { ApprovalView, EvaluationResponse, ReportOutcomeBody } from "../../contracts/api";
import { inputSha256 } from "../../lambdas/core/hashing";
import { type AgentControlPlane, frozenArguments, gateToolCall } from "../../mcp/tool-call-gate";
import { GatesApiError } from "../../sdk/gates-api-error";

const ARGS = frozenArguments({ command: "ls", nested: { a: [1, 2] } });
const OK: CallToolResult = { content: [{ type: "text", text: "done" }] };

function evaluation(overrides: Partial<EvaluationResponse> = {}): EvaluationResponse {
  return {
    decision: "ALLOW",
    source: "default_allow",
    reason: "no rule matched",
    rule_ids: [],
    event_seq: 7,
    input_sha256: inputSha256(ARGS),
    ...overrides,
  };
}

function approval(status: ApprovalView["status"], extra: Partial<ApprovalView> = {}): ApprovalView {
  return {
    task_id: "t",
    request_id: "01JAAAAAAAAAAAAAAAAAAAAAAA",
    status,
    tool_name: "x__run",
    tool_input_preview: "{}",
    tool_input_sha256: inputSha256(ARGS),
    rule_ids: ["force_push"],
    severity: "medium",
    reason: "r",
    created_at: "2026-01-01T00:00:00.000Z",
    expires_at: "2099-01-01T00:00:00.000Z",
    approvals_required: 1,
    approved_by: [],
    progress: "0 of 1 approval",
    ...extra,
  };
}

/** A fake control plane that answers from a script and records what it was asked. */
function fakePlane(script: { evaluate: () => Promise<EvaluationResponse>; approvals?: ApprovalView[] }) {
  const outcomes: ReportOutcomeBody[] = [];
  const withdrawn: string[] = [];
  const approvals = [...(script.approvals ?? [])];
  const plane: AgentControlPlane = {
    evaluate: script.evaluate,
    getApproval: async () => approvals.shift() ?? approval("PENDING"),
    withdraw: async (_t, id) => {
      withdrawn.push(id);
      return approval("CANCELLED");
    },
    reportOutcome: async (_t, o) => {
      outcomes.push(o);
      return { task_id: "t", event_seq: 9, tool_name: "x__run", input_sha256: "", outcome: o.outcome };
    },
  };
  return { plane, outcomes, withdrawn };
}

function callWith(
  forward: (args: unknown) => Promise<CallToolResult>,
  signal = new AbortController().signal,
) {
  return { taskId: "t", toolName: "x__run", args: ARGS, signal, forward };
}

const options = { progressIntervalS: 1, log: () => undefined };

describe("gating one MCP tool call", () => {
  it("forwards an ALLOW with the very arguments judged and records it executed", async () => {
    const { plane, outcomes } = fakePlane({ evaluate: async () => evaluation() });
    const forwarded: unknown[] = [];

    const result = await gateToolCall(
      plane,
      callWith(async (a) => {
        forwarded.push(a);
        return OK;
      }),
      options,
    );

    expect(result).toBe(OK);
    expect(forwarded).toEqual([ARGS]);
    expect(forwarded[0]).toBe(ARGS);
    expect(outcomes).toEqual([
      expect.objectContaining({ event_seq: 7, outcome: "executed", result_sha256: inputSha256(OK) }),
    ]);
  });

  it.each([
    ["a DENY", async () => evaluation({ decision: "DENY", source: "hard_deny", reason: "rm_rf_root" })],
    ["an answer for other arguments", async () => evaluation({ input_sha256: "0".repeat(64) })],
    ["an answer without the input hash", async () => ({ ...evaluation(), input_sha256: undefined as never })],
    ["REQUIRE_APPROVAL without a request id", async () => evaluation({ decision: "REQUIRE_APPROVAL" })],
    ["an unknown decision", async () => evaluation({ decision: "MAYBE" as never })],
    ["a 503", async () => Promise.reject(new GatesApiError(503, "SERVICE_UNAVAILABLE", "down"))],
    ["a network error", async () => Promise.reject(new TypeError("fetch failed"))],
  ])("blocks %s without forwarding, as a tool error", async (_name, evaluate) => {
    const { plane, outcomes } = fakePlane({ evaluate });
    const forward = jest.fn(async () => OK);

    const result = await gateToolCall(plane, callWith(forward), options);

    expect(result.isError).toBe(true);
    expect(forward).not.toHaveBeenCalled();
    expect(outcomes).toEqual([]);
  });

  it.each([
    ["DENIED", approval("DENIED", { decided_by: "bob", deny_reason: "use a PR" }), /denied by bob: use a PR/],
    ["TIMED_OUT", approval("TIMED_OUT"), /before its deadline/],
    ["CANCELLED", approval("CANCELLED"), /cancelled/],
  ])("blocks a request that ends %s", async (_status, ended, message) => {
    const { plane } = fakePlane({
      evaluate: async () => evaluation({ decision: "REQUIRE_APPROVAL", request_id: ended.request_id }),
      approvals: [approval("PENDING"), ended],
    });
    const forward = jest.fn(async () => OK);

    const result = await gateToolCall(plane, callWith(forward), options);

    expect(forward).not.toHaveBeenCalled();
    expect(result.content[0]).toMatchObject({ text: expect.stringMatching(message) });
  });

  it("forwards an approved call and records the outcome under its request id", async () => {
    const id = "01JAAAAAAAAAAAAAAAAAAAAAAA";
    const { plane, outcomes } = fakePlane({
      evaluate: async () => evaluation({ decision: "REQUIRE_APPROVAL", request_id: id }),
      approvals: [approval("APPROVED", { decided_by: "bob" })],
    });

    await gateToolCall(
      plane,
      callWith(async () => OK),
      options,
    );

    expect(outcomes).toEqual([expect.objectContaining({ request_id: id, outcome: "executed" })]);
  });

  it("withdraws the request and forwards nothing when the call is aborted while it waits", async () => {
    const controller = new AbortController();
    const { plane, withdrawn } = fakePlane({
      evaluate: async () =>
        evaluation({ decision: "REQUIRE_APPROVAL", request_id: "01JAAAAAAAAAAAAAAAAAAAAAAA" }),
    });
    plane.getApproval = () => new Promise(() => undefined);
    const forward = jest.fn(async () => OK);

    const result = gateToolCall(plane, callWith(forward, controller.signal), options);
    controller.abort();

    await expect(result).resolves.toMatchObject({ isError: true });
    expect(withdrawn).toEqual(["01JAAAAAAAAAAAAAAAAAAAAAAA"]);
    expect(forward).not.toHaveBeenCalled();
  });

  it("records an upstream error, with secrets redacted from what the agent reads", async () => {
    const { plane, outcomes } = fakePlane({ evaluate: async () => evaluation() });

    const result = await gateToolCall(
      plane,
      callWith(async () =>
        Promise.reject(new Error("401 for token ghp_abcdefghijklmnopqrstuvwxyz0123456789")),
      ),
      options,
    );

    expect(result.isError).toBe(true);
    expect(JSON.stringify(result)).not.toContain("ghp_");
    expect(outcomes).toEqual([expect.objectContaining({ event_seq: 7, outcome: "upstream_error" })]);
  });

  it("freezes the arguments, so nothing can change them between judging and forwarding", () => {
    const args = frozenArguments({ a: { b: [1] } }) as { a: { b: number[] } };
    expect(() => {
      args.a.b.push(2);
    }).toThrow(TypeError);
    expect(() => frozenArguments([1])).toThrow(/JSON object/);
  });
});
