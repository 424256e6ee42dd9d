import type { LockTarget } from "../../contracts/governance";
import type { LockRecord } from "../../lambdas/core/governance/locks";
import { decideToolCall, type Evaluation } from "../../lambdas/core/policy/evaluate";
import type { CompiledPolicySet } from "../../lambdas/core/policy/policy-set";
import type { RuleMeta } from "../../lambdas/core/policy/rules";
import { freshTaskSnapshot, type TaskSnapshot } from "../../lambdas/core/task";
import { wordSplittingParser } from "../support/shell-parser";

/** The lock and quorum steps of the evaluation pipeline, decided from facts, one table each. */

const NOW = new Date("2026-11-22T12:00:00.000Z");
const RULES: RuleMeta[] = [
  { rule_id: "hard_one", tier: "hard", source: "builtin" },
  { rule_id: "soft_plain", tier: "soft", source: "builtin", severity: "medium" },
  { rule_id: "two_person", tier: "soft", source: "custom", severity: "high", approvals_required: 2 },
  { rule_id: "not_owner", tier: "soft", source: "custom", severity: "high", approver_not_owner: true },
];

/** Cedar answers that the given rules matched. */
function policies(...matched: string[]): CompiledPolicySet {
  return {
    id: "fake",
    rules: RULES,
    disabled: [],
    rule: (id) => RULES.find((r) => r.rule_id === id),
    match: () => ({ ok: true, matched, errors: [] }),
  };
}

function task(overrides: Partial<TaskSnapshot> = {}): TaskSnapshot {
  return freshTaskSnapshot(
    {
      agent_id: "arn:aws:sts::123456789012:assumed-role/ci/run-7",
      repo: "acme/app",
      owner: "alice",
      read_only: false,
    },
    { approvers: ["alice", "bob", "carol"], ...overrides },
  );
}

const lock = (target: LockTarget, overrides: Partial<LockRecord> = {}): LockRecord => ({
  lock_id: "01JAAAAAAAAAAAAAAAAAAAAAAA",
  target,
  reason: "incident 42",
  placed_by: "root",
  placed_at: "2026-11-22T11:00:00.000Z",
  cancel_pending: false,
  ...overrides,
});

function evaluate(t: TaskSnapshot, set: CompiledPolicySet, locks: LockRecord[] = []): Evaluation {
  return decideToolCall({
    task: t,
    call: { tool_name: "Bash", tool_input: { command: "make deploy" } },
    inputSha256: "h1",
    policies: set,
    shell: wordSplittingParser,
    locks,
    now: NOW,
  });
}

describe("the lock step", () => {
  type Case = [string, LockRecord[], Partial<TaskSnapshot>, CompiledPolicySet, string];
  it.each<Case>([
    ["a lock on everything denies a call nothing matches", [lock("all")], {}, policies(), "lock"],
    ["a lock on the repo's owner denies", [lock("repo:acme/*")], {}, policies(), "lock"],
    [
      "a lock on the agent (a glob) denies",
      [lock("agent:arn:aws:sts::123456789012:assumed-role/ci/*")],
      {},
      policies(),
      "lock",
    ],
    [
      "a lock wins over an all_session grant",
      [lock("all")],
      {
        grants: [
          { scope: "all_session", granted_by: { kind: "human", id: "bob" }, granted_at: NOW.toISOString() },
        ],
      },
      policies("soft_plain"),
      "lock",
    ],
    ["a lock wins over a hard rule's reason", [lock("all")], {}, policies("hard_one"), "lock"],
    [
      "a lock wins over an exhausted budget",
      [lock("all")],
      { counters: { tool_calls: 10_000, approvals_requested: 0 } },
      policies(),
      "lock",
    ],
    [
      "a finished task says so before any lock",
      [lock("all")],
      { status: "COMPLETED" },
      policies(),
      "task_state",
    ],
    ["a lock on another repo does nothing", [lock("repo:acme/app2")], {}, policies(), "default_allow"],
    [
      "an expired lock does nothing",
      [lock("all", { expires_at: "2026-11-22T11:59:59.000Z" })],
      {},
      policies(),
      "default_allow",
    ],
  ])("%s", (_name, locks, overrides, set, source) => {
    const result = evaluate(task(overrides), set, locks);
    expect(result.source).toBe(source);
    if (source === "lock") {
      expect(result.decision).toBe("DENY");
      expect(result.reason).toBe(
        `Stopped by lock 01JAAAAAAAAAAAAAAAAAAAAAAA on ${locks[0]?.target} by root: incident 42.`,
      );
    }
  });
});

describe("the quorum step", () => {
  type Case = [
    string,
    Partial<TaskSnapshot>,
    string[],
    { decision: string; approvals_required?: number; approver_not_owner?: boolean; source?: string },
  ];
  it.each<Case>([
    [
      "one approval for a plain rule",
      {},
      ["soft_plain"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 1, approver_not_owner: false },
    ],
    [
      "two for a two-person rule",
      {},
      ["two_person"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 2 },
    ],
    [
      "the settings' default for a plain rule",
      { approvals_required: 3 },
      ["soft_plain"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 3 },
    ],
    [
      "the highest of the matches",
      {},
      ["soft_plain", "two_person"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 2 },
    ],
    [
      "no more than the approvers the task has",
      { approvers: ["alice", "bob"], approvals_required: 3 },
      ["soft_plain"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 2 },
    ],
    [
      "the owner excluded, and the quorum capped without the owner",
      { approvers: ["alice", "bob"] },
      ["two_person", "not_owner"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 1, approver_not_owner: true },
    ],
    [
      "a deny when only the owner could approve",
      { approvers: ["alice"] },
      ["not_owner"],
      { decision: "DENY", source: "quorum" },
    ],
    [
      "the number as asked when a group approves",
      { approvers: [], approver_groups: ["release"], approvals_required: 1 },
      ["two_person", "not_owner"],
      { decision: "REQUIRE_APPROVAL", approvals_required: 2, approver_not_owner: true },
    ],
  ])("asks for %s", (_name, overrides, matched, expected) => {
    expect(evaluate(task(overrides), policies(...matched))).toMatchObject(expected);
  });
});
