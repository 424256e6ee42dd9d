import type { CedarRequest } from "../../lambdas/core/policy/cedar-request";
import { decideToolCall, mergedTimeout } from "../../lambdas/core/policy/evaluate";
import type { CompiledPolicySet, PolicyMatch } from "../../lambdas/core/policy/policy-set";
import type { RuleMeta } from "../../lambdas/core/policy/rules";
import type { RecentDenial, TaskSnapshot, TaskStatus } from "../../lambdas/core/task";
import { wordSplittingParser } from "../support/shell-parser";

const NOW = new Date("2026-11-22T12:00:00.000Z");
const secondsAgo = (s: number) => new Date(NOW.getTime() - s * 1000).toISOString();

const RULES: RuleMeta[] = [
  { rule_id: "hard_one", tier: "hard", source: "builtin", summary: "a hard rule" },
  {
    rule_id: "soft_a",
    tier: "soft",
    source: "builtin",
    severity: "medium",
    approval_timeout_s: 600,
    summary: "rule a",
  },
  { rule_id: "soft_b", tier: "soft", source: "custom", severity: "critical", approval_timeout_s: 120 },
  { rule_id: "soft_c", tier: "soft", source: "custom", severity: "low" },
];

/** A policy set that answers whatever the test says, and records what it was asked. */
function fakePolicies(answer: PolicyMatch): CompiledPolicySet & { requests: CedarRequest[] } {
  const requests: CedarRequest[] = [];
  return {
    id: "fake",
    rules: RULES,
    disabled: [],
    requests,
    rule: (id) => RULES.find((r) => r.rule_id === id),
    match: (request) => {
      requests.push(request);
      return answer;
    },
  };
}
const matching = (...matched: string[]): PolicyMatch => ({ ok: true, matched, errors: [] });

function task(overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return {
    agent_id: "agent-1",
    repo: "acme/app",
    owner: "alice",
    read_only: false,
    status: "RUNNING",
    approvers: ["alice"],
    approver_groups: [],
    approvals_required: 1,
    approval_timeout_s: 300,
    approval_gate_cap: 50,
    max_tool_calls: 100,
    counters: { tool_calls: 0, approvals_requested: 0 },
    grants: [],
    recent_denials: [],
    recent_request_times: [],
    pending_request_ids: [],
    ...overrides,
  };
}
const call = { tool_name: "Bash", tool_input: { command: "git push --force origin main" } };
const grant = (scope: string) => ({
  scope,
  granted_by: { kind: "human" as const, id: "alice" },
  granted_at: secondsAgo(5),
});
const denial = (overrides: Partial<RecentDenial>): RecentDenial => ({
  tool_name: "Bash",
  input_sha256: "h1",
  rule_ids: ["soft_a"],
  status: "DENIED",
  at: secondsAgo(10),
  ...overrides,
});

function evaluate(t: TaskSnapshot, answer: PolicyMatch, inputSha256 = "h1") {
  return decideToolCall({
    task: t,
    call,
    inputSha256,
    policies: fakePolicies(answer),
    shell: wordSplittingParser,
    locks: [],
    now: NOW,
  });
}

describe("decideToolCall", () => {
  it.each<TaskStatus>(["COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"])(
    "denies every call of a %s task",
    (status) => {
      const result = evaluate(task({ status }), matching());
      expect(result).toMatchObject({ decision: "DENY", source: "task_state" });
    },
  );

  it("keeps evaluating while the task awaits an approval", () => {
    expect(evaluate(task({ status: "AWAITING_APPROVAL" }), matching())).toMatchObject({
      source: "default_allow",
    });
  });

  it("denies once the tool-call budget is used, before asking Cedar", () => {
    const policies = fakePolicies(matching());
    const result = decideToolCall({
      task: task({ counters: { tool_calls: 100, approvals_requested: 0 } }),
      call,
      inputSha256: "h1",
      policies,
      shell: wordSplittingParser,
      locks: [],
      now: NOW,
    });
    expect(result).toMatchObject({ decision: "DENY", source: "budget" });
    expect(policies.requests).toHaveLength(0);
  });

  it("denies a hard match even when a grant covers the call", () => {
    const result = evaluate(task({ grants: [grant("all_session")] }), matching("hard_one", "soft_a"));
    expect(result).toMatchObject({ decision: "DENY", source: "hard_deny", rule_ids: ["hard_one"] });
  });

  it("fails closed when the whole Cedar call fails", () => {
    const result = evaluate(task(), { ok: false, message: "context did not parse" });
    expect(result).toMatchObject({ decision: "DENY", source: "fail_closed", rule_ids: [] });
    expect(result.reason).toContain("context did not parse");
  });

  it("fails closed naming every rule that errored, over grants and soft matches", () => {
    const answer: PolicyMatch = {
      ok: true,
      matched: ["soft_a"],
      errors: [
        { rule_id: "soft_b", message: "no attribute env" },
        { rule_id: "soft_c", message: "type error" },
      ],
    };
    const result = evaluate(task({ grants: [grant("all_session")] }), answer);
    expect(result).toMatchObject({ decision: "DENY", source: "fail_closed", rule_ids: ["soft_b", "soft_c"] });
  });

  it("allows by a non-rule grant before looking at recent denials", () => {
    const result = evaluate(
      task({ grants: [grant("tool:Bash")], recent_denials: [denial({})] }),
      matching("soft_a"),
    );
    expect(result).toMatchObject({ decision: "ALLOW", source: "grant", grant: "tool:Bash" });
  });

  it.each(["DENIED", "TIMED_OUT"] as const)("denies the same call %s in the last 60 s", (status) => {
    const result = evaluate(task({ recent_denials: [denial({ status })] }), matching("soft_a"));
    expect(result).toMatchObject({ decision: "DENY", source: "recent_denial", rule_ids: ["soft_a"] });
  });

  it("even denies a now-unmatched call that was recently denied", () => {
    expect(evaluate(task({ recent_denials: [denial({})] }), matching())).toMatchObject({
      source: "recent_denial",
    });
  });

  it("forgets a denial older than 60 s", () => {
    const result = evaluate(task({ recent_denials: [denial({ at: secondsAgo(61) })] }), matching("soft_a"));
    expect(result).toMatchObject({ decision: "REQUIRE_APPROVAL" });
  });

  it("denies another input of the same tool when a matched rule was DENIED in the last 60 s", () => {
    const result = evaluate(
      task({ recent_denials: [denial({ input_sha256: "other" })] }),
      matching("soft_a"),
    );
    expect(result).toMatchObject({ decision: "DENY", source: "recent_denial" });
  });

  it("does not extend a rule denial to timeouts, other tools or other rules", () => {
    const denials = [
      denial({ input_sha256: "other", status: "TIMED_OUT" }),
      denial({ input_sha256: "other", tool_name: "Write" }),
      denial({ input_sha256: "other", rule_ids: ["soft_c"] }),
    ];
    expect(evaluate(task({ recent_denials: denials }), matching("soft_a"))).toMatchObject({
      decision: "REQUIRE_APPROVAL",
    });
  });

  it("allows when every soft match is covered by rule: grants", () => {
    const result = evaluate(
      task({ grants: [grant("rule:soft_a"), grant("rule:soft_b")] }),
      matching("soft_a", "soft_b"),
    );
    expect(result).toMatchObject({ decision: "ALLOW", source: "grant", rule_ids: ["soft_a", "soft_b"] });
  });

  it("asks when a rule: grant covers only some soft matches", () => {
    const result = evaluate(task({ grants: [grant("rule:soft_a")] }), matching("soft_a", "soft_b"));
    expect(result).toMatchObject({ decision: "REQUIRE_APPROVAL", rule_ids: ["soft_a", "soft_b"] });
  });

  it("denies at the approval gate cap", () => {
    const result = evaluate(
      task({ approval_gate_cap: 3, counters: { tool_calls: 5, approvals_requested: 3 } }),
      matching("soft_a"),
    );
    expect(result).toMatchObject({ decision: "DENY", source: "cap" });
  });

  it("denies the 21st approval request within 60 s, not one older", () => {
    const twenty = Array.from({ length: 20 }, (_, i) => secondsAgo(i + 1));
    expect(evaluate(task({ recent_request_times: twenty }), matching("soft_a"))).toMatchObject({
      source: "rate_limit",
    });
    const oneOld = [...twenty.slice(1), secondsAgo(61)];
    expect(evaluate(task({ recent_request_times: oneOld }), matching("soft_a"))).toMatchObject({
      decision: "REQUIRE_APPROVAL",
    });
  });

  it("merges soft matches: highest severity, shortest timeout, rules in match order, rules named in the reason", () => {
    const result = evaluate(task(), matching("soft_a", "soft_b", "soft_c"));
    expect(result).toEqual({
      decision: "REQUIRE_APPROVAL",
      source: "soft_rule",
      rule_ids: ["soft_a", "soft_b", "soft_c"],
      severity: "critical",
      timeout_s: 120,
      approvals_required: 1,
      approver_not_owner: false,
      reason: "Needs approval: soft_a (rule a); soft_b; soft_c.",
    });
  });

  it("allows by default when nothing matches", () => {
    expect(evaluate(task(), matching())).toEqual({
      decision: "ALLOW",
      source: "default_allow",
      reason: "No rule matched.",
      rule_ids: [],
    });
  });

  it("passes the task, the call and each command's facts to Cedar as the requests of the policy model", () => {
    const policies = fakePolicies(matching());
    decideToolCall({
      task: task({ read_only: true }),
      call,
      inputSha256: "h1",
      policies,
      shell: wordSplittingParser,
      locks: [],
      now: NOW,
    });
    expect(policies.requests).toEqual([
      {
        principal: { type: "Gates::Agent", id: "agent-1" },
        action: { type: "Gates::Action", id: "invoke_tool" },
        resource: { type: "Gates::Tool", id: "Bash" },
        context: {
          tool: "Bash",
          task: { repo: "acme/app", owner: "alice", read_only: true },
          command: "git push --force origin main",
          command_lower: "git push --force origin main",
          input: { command: "git push --force origin main" },
          shell: { parsed: true },
          cmd: {
            program: "git",
            flags: ["force"],
            subcommand: "push",
            operands: ["origin", "main"],
            paths: [],
            text: "git push --force origin main",
            wrappers: [],
            unresolved: [],
            runs_download: false,
            sql: "",
          },
          push: { ref: "main", force: true },
        },
      },
    ]);
  });

  it("judges a call that cannot be analyzed as a fail-closed denial", () => {
    const policies = fakePolicies(matching());
    const result = decideToolCall({
      task: task(),
      call,
      inputSha256: "h1",
      policies,
      shell: {
        parse: () => {
          throw new Error("parser crashed");
        },
      },
      locks: [],
      now: NOW,
    });
    expect(result).toMatchObject({ decision: "DENY", source: "fail_closed" });
    expect(result.reason).toContain("parser crashed");
  });
});

describe("mergedTimeout", () => {
  it.each([
    [300, [], 300],
    [300, [600], 300],
    [900, [600, 120], 120],
    [3600, [600], 600],
    [30, [3600], 30],
  ])("task %i s with rule timeouts %j gives %i s", (taskTimeout, ruleTimeouts, expected) => {
    const rules = ruleTimeouts.map(
      (t, i): RuleMeta => ({ rule_id: `r${i}`, tier: "soft", source: "custom", approval_timeout_s: t }),
    );
    expect(mergedTimeout(taskTimeout, rules)).toBe(expected);
  });
});
